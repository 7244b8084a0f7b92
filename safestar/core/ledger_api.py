"""The REST API of every ledger at /api/v1/<ledger>/, generated from its declaration.

list (same filters as the page, paginated), read, create, update (with the version read, so that
nobody overwrites a newer save), delete (soft, with a reason). Input goes through the ledger's own
Django form, so the API validates exactly as the pages do; every query goes through the scope.
"""

import datetime
from typing import Annotated, Literal

from django.db import models
from django.forms.models import model_to_dict
from ninja import Router, Schema, Status
from ninja.orm import create_schema
from pydantic import Field, create_model

from .edge import MAX_ID, Id, Year
from .ledger import LEDGERS
from .ledger_ops import filtered, save, soft_delete
from .read_api import add_read_routes
from .saving import Conflict, Locked
from .scope import can_write, get_visible_or_404, require
from .states import EFFECTIVE_LABEL, tracked


Text = Annotated[str, Field(max_length=200)]
Version = Annotated[int, Field(ge=0, le=MAX_ID, description="读取该记录时得到的版本号")]


def _filter_type(field):
    """The declared type of a kind/status filter: the field's choices, yes/no, or a related record's id."""
    if field.choices:
        return Literal[tuple(str(value) for value, _ in field.flatchoices)]
    if isinstance(field, models.BooleanField):
        return bool
    if field.many_to_one:
        return Id
    return Text


def filters_schema(ledger):
    """The list's query parameters (ledger_ops.filtered), each with its type: a value outside it answers 422."""
    fields = {"q": (Text | None, Field(None, description="搜索")), "village": (Text | None, Field(None, description="村代码"))}
    if ledger.date_field:
        fields |= {"year": (Year | None, None), "start": (datetime.date | None, Field(None, description="起始日期")),
                   "end": (datetime.date | None, Field(None, description="截止日期"))}
    for param, name in (("kind", ledger.kind_field), ("status", ledger.status_field)):
        if name:
            fields[param] = (_filter_type(ledger.field(name)) | None, Field(None, description=str(ledger.label(name))))
    if ledger.overdue is not None:
        fields["overdue"] = (bool | None, Field(None, description="true：只列今天已逾期的"))
    sorts = tuple(f"{prefix}{name}" for name in ledger.sortable() for prefix in ("", "-"))
    if ledger.overdue is not None:
        fields["overdue"] = (bool | None, Field(None, description="true：只列今天已逾期的"))
    fields |= {"deleted": (bool | None, Field(None, description="true：只列已删除的")),
               "sort": (Literal[sorts] | None, Field(None, description="排序字段（前加 - 为倒序）"))}
    return create_model(f"{ledger.model.__name__}Filters", __base__=Schema, **fields)


class Errors(Schema):  # the one error body of the API (core/api_errors.py)
    detail: str
    errors: dict[str, list[str]] = {}


def _form(ledger, user, payload, instance=None):
    """The ledger's form bound to the JSON payload; fields not given keep their current values."""
    data = model_to_dict(instance, fields=["division", *ledger.fields]) if instance else {}
    if instance:
        data["division"] = instance.division.code
    for name, value in payload.items():
        if name == "village":
            data["division"] = value
        elif name in ledger.fields or name == "effective_on":
            data[name] = value
    data = {k: ("" if v is None else v) for k, v in data.items()}
    form = ledger.form_class()(data=data, instance=instance, user=user)
    form.fields["division"].to_field_name = "code"
    form.fields["division"].error_messages["invalid_choice"] = "村 %(value)s 不存在或不在您的管辖范围内"
    return form


def form_errors(form):
    """422 with the form's Chinese messages by field (the village named `village`), for every API that validates with a form."""
    errors = {("village" if k == "division" else k): [str(m) for m in v] for k, v in form.errors.items()}
    return Status(422, {"detail": "数据校验未通过", "errors": errors})


def _add(router, ledger):
    model, slug = ledger.model, ledger.slug
    out_fields = ["id", "version", *ledger.fields, *ledger.readonly, "created_at", "updated_at", "deleted_at", "delete_reason"]
    Out = create_schema(model, name=f"{model.__name__}Out", fields=out_fields, custom_fields=[("village", str, ...), ("village_name", str, ...)])
    # Input: every field optional (the form says what is missing, in Chinese), related records by
    # primary key under the field's own name (ninja's model schemas would expect "kind_id").
    base = create_schema(model, name=f"{model.__name__}Fields", fields=list(ledger.fields), optional_fields="__all__")
    extra = {}
    if tracked(model):  # the day the changes of tracked fields took effect (core/states.py); today when not given
        extra["effective_on"] = (datetime.date | None, Field(None, title=EFFECTIVE_LABEL))
    In = create_model(
        f"{model.__name__}In", __base__=Schema, village=(Text | None, None), version=(Version | None, None), **extra,
        **{name: (field.annotation, Field(None, title=field.title)) for name, field in base.model_fields.items()},
    )
    tag = [ledger.title]

    add_read_routes(router, slug=slug, model=model, out=Out, filters=filters_schema(ledger), tag=ledger.title,
                    rows=lambda user, params: filtered(ledger, user, params.dict(exclude_none=True)),
                    queryset=ledger.base_queryset, list_summary="列表（筛选：q、village、year、start、end、kind、status、deleted、sort）",
                    detail_summary="读取一条")

    @router.post(f"/{slug}/", response={201: Out, 422: Errors}, tags=tag, url_name=f"{slug}-create", operation_id=f"{slug}_create", summary="新增")
    def create_record(request, payload: In):
        require(can_write(model, request.auth))
        form = _form(ledger, request.auth, payload.dict(exclude_unset=True))
        if not form.is_valid():
            return form_errors(form)
        return Status(201, save(ledger, form, request.auth))

    @router.put(f"/{slug}/{{pk}}", response={200: Out, 409: Errors, 422: Errors}, tags=tag, url_name=f"{slug}-update",
                operation_id=f"{slug}_update", summary="修改（须带上读取时的 version；未给出的字段保持不变）")
    def update_record(request, pk: Id, payload: In):
        require(can_write(model, request.auth))
        obj = get_visible_or_404(model.objects.alive(), request.auth, write=True, pk=pk)
        data = payload.dict(exclude_unset=True)
        if data.get("version") is None:
            return Status(422, {"detail": "须提供 version（读取该记录时得到的版本号）", "errors": {"version": ["必填"]}})
        form = _form(ledger, request.auth, data, instance=obj)
        if not form.is_valid():
            return form_errors(form)
        try:
            return Status(200, save(ledger, form, request.auth, version=data["version"]))
        except (Conflict, Locked) as exc:
            return Status(409, {"detail": str(exc), "errors": {}})

    @router.delete(f"/{slug}/{{pk}}", response={204: None, 409: Errors, 422: Errors}, tags=tag, url_name=f"{slug}-delete",
                   operation_id=f"{slug}_delete", summary="删除（软删除，须说明原因 reason）")
    def delete_record(request, pk: Id, reason: Text = ""):
        require(can_write(model, request.auth))
        obj = get_visible_or_404(model.objects.alive(), request.auth, write=True, pk=pk)
        if not reason.strip():
            return Status(422, {"detail": "须说明删除原因 reason", "errors": {"reason": ["必填"]}})
        try:
            soft_delete(ledger.model, obj, request.auth, reason.strip()[:200])
        except Locked as exc:
            return Status(409, {"detail": str(exc), "errors": {}})
        return Status(204, None)


def ledger_router():
    router = Router()
    for ledger in LEDGERS.values():
        _add(router, ledger)
    return router

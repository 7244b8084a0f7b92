"""/api/v1/key-persons/ and /api/v1/key-person-visits/: the same access and masking as the pages.
A role without access gets 404 on every call; lists and reads are masked; the full record needs
POST .../reveal with a reason, recorded in the audit log like a reveal on the page."""

import datetime
from typing import Literal

from django.db.models import Max, Q
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from safestar.core.edge import Id
from safestar.core.ledger_api import Errors, Text, Version, form_errors
from safestar.core.read_api import Page
from safestar.core.masking import mask_id_number, mask_name
from safestar.core.saving import Conflict
from safestar.core.scope import can_read, can_write, get_visible_or_404, require
from safestar.org.roles import can

from .models import KeyPerson, Visit
from .models import Status as PersonStatus
from .services import DETAILS, PERSON_FIELDS, REVEAL_REASON_MIN, PersonForm, VisitForm, add_visit, reveal, save_person

router = Router(tags=["重点人员"])


class PersonOut(Schema):
    """Masked: what a list shows."""

    id: int
    version: int
    village: str
    village_name: str
    name: str
    id_number: str
    categories: list[str]
    registered_on: datetime.date | None
    status: str
    responsible: str | None
    last_visit: datetime.date | None = None

    @staticmethod
    def resolve_name(person):
        return mask_name(person.name)

    @staticmethod
    def resolve_id_number(person):
        return mask_id_number(person.id_number)

    @staticmethod
    def resolve_categories(person):
        return [c.code for c in person.categories.all()]

    @staticmethod
    def resolve_responsible(person):
        return person.responsible.username if person.responsible_id else None

    @staticmethod
    def resolve_last_visit(person):
        return getattr(person, "last_visit", None)


class PersonFull(PersonOut):
    """Everything, after a reveal."""

    phone: str
    address: str
    details: dict
    visits: list[dict]

    @staticmethod
    def resolve_name(person):
        return person.name

    @staticmethod
    def resolve_id_number(person):
        return person.id_number

    @staticmethod
    def resolve_details(person):
        return {name: getattr(person, name) for name in DETAILS}

    @staticmethod
    def resolve_visits(person, context):
        visits = Visit.objects.visible_to(context["request"].auth).alive().filter(person=person).order_by("-visited_on")
        return [{"id": v.pk, "visited_on": v.visited_on, "kind": v.kind, "visitor": v.visitor, "findings": v.findings} for v in visits]


class PersonFilters(Schema):
    q: Text | None = None
    village: Text | None = None
    category: Text | None = None
    status: Literal[tuple(PersonStatus.values)] | None = None


class PersonIn(Schema):
    village: str | None = None
    version: Version | None = None
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    categories: list[str] | None = None  # category codes
    registered_on: datetime.date | None = None  # 登记日期
    status: str | None = None
    responsible: str | None = None  # the 包案人's login name
    effective_on: datetime.date | None = None  # 变更生效日期 of status, measures, guardian… (default today)
    details: dict | None = None  # release_date, sentence, guardian_name, risk_grade, measures_*, ...


class RevealIn(Schema):
    reason: str


class VisitOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    visited_on: datetime.date
    kind: str
    visitor: str


class VisitIn(Schema):
    person: Id | None = None  # required; a missing or unknown person answers 404
    visited_on: str | None = None
    kind: str | None = "visit"
    visitor: str | None = None
    findings: str | None = None




def _persons(user):
    require(can_read(KeyPerson, user))
    return (
        KeyPerson.objects.visible_to(user).alive().select_related("division", "responsible").prefetch_related("categories")
        .annotate(last_visit=Max("visits__visited_on", filter=Q(visits__deleted_at__isnull=True)))
    )


@router.get("/key-persons/", response=list[PersonOut], url_name="key-persons-list", summary="重点人员列表（脱敏；筛选：q 姓名、village、category 类别代码、status）")
@paginate(Page)
def list_persons(request, filters: Query[PersonFilters]):
    qs = _persons(request.auth).order_by("division__code", "name", "pk")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.village:
        qs = qs.filter(division__code=filters.village)
    if filters.category:
        qs = qs.filter(pk__in=KeyPerson.categories.through.objects.filter(category__code=filters.category).values("keyperson"))
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("/key-persons/{pk}", response=PersonOut, url_name="key-persons-detail", summary="读取一人（脱敏）")
def read_person(request, pk: Id):
    return get_visible_or_404(_persons(request.auth), request.auth, pk=pk)


@router.post("/key-persons/{pk}/reveal", response={200: PersonFull, 422: Errors}, url_name="key-persons-reveal",
             summary="查看完整信息（须说明原因 reason，记入审计日志）")
def reveal_person(request, pk: Id, payload: RevealIn):
    require(can(request.auth, "keypersons.reveal"))
    person = get_visible_or_404(_persons(request.auth), request.auth, pk=pk)
    reason = payload.reason.strip()
    if len(reason) < REVEAL_REASON_MIN:
        return Status(422, {"detail": f"须说明查看原因（至少 {REVEAL_REASON_MIN} 个字）", "errors": {"reason": ["必填"]}})
    reveal(person, request.auth, reason[:200])
    return Status(200, person)


def _form(user, payload, instance=None):
    from django.forms.models import model_to_dict

    data = model_to_dict(instance, fields=["division", *PERSON_FIELDS]) if instance else {}
    if instance:
        data["division"] = instance.division.code
        data["categories"] = [c.pk for c in instance.categories.all()]
    given = payload.dict(exclude_unset=True)
    if "village" in given:
        data["division"] = given["village"]
    for name in ("name", "id_number", "phone", "address", "registered_on", "status", "effective_on"):
        if name in given:
            data[name] = given[name]
    if "categories" in given:
        from .models import Category

        codes = {c.code: c.pk for c in Category.objects.all()}
        data["categories"] = [codes.get(code, f"无此类别：{code}") for code in given["categories"] or []]
    if "responsible" in given:
        from safestar.org.models import User

        found = User.objects.filter(username=given["responsible"]).values_list("pk", flat=True).first() if given["responsible"] else ""
        data["responsible"] = found if found is not None else f"无此账号：{given['responsible']}"
    for name, value in (given.get("details") or {}).items():
        if name in DETAILS:
            data[name] = value
    data = {k: ("" if v is None else v) for k, v in data.items()}
    form = PersonForm(data=data, instance=instance, user=user)
    form.fields["division"].to_field_name = "code"
    form.fields["division"].error_messages["invalid_choice"] = "村 %(value)s 不存在或不在您的管辖范围内"
    return form


@router.post("/key-persons/", response={201: PersonOut, 422: Errors}, url_name="key-persons-create", summary="登记（镇平安办、负责部门）")
def create_person(request, payload: PersonIn):
    require(can_write(KeyPerson, request.auth))
    form = _form(request.auth, payload)
    if not form.is_valid():
        return form_errors(form)
    return Status(201, save_person(form, request.auth))


@router.put("/key-persons/{pk}", response={200: PersonOut, 409: Errors, 422: Errors}, url_name="key-persons-update",
            summary="修改（须带上读取时的 version；未给出的字段保持不变）")
def update_person(request, pk: Id, payload: PersonIn):
    require(can_write(KeyPerson, request.auth))
    person = get_visible_or_404(KeyPerson.objects.alive(), request.auth, write=True, pk=pk)
    if payload.version is None:
        return Status(422, {"detail": "须提供 version（读取该记录时得到的版本号）", "errors": {"version": ["必填"]}})
    form = _form(request.auth, payload, instance=person)
    if not form.is_valid():
        return form_errors(form)
    try:
        return Status(200, save_person(form, request.auth, version=payload.version))
    except Conflict as exc:
        return Status(409, {"detail": str(exc), "errors": {}})


def _visits(user):
    require(can_read(Visit, user))
    return Visit.objects.visible_to(user).alive()


@router.get("/key-person-visits/", response=list[VisitOut], url_name="key-person-visits-list", summary="走访帮教记录（筛选：person；不含走访情况，须查看人员完整信息）")
@paginate(Page)
def list_visits(request, person: Id | None = None):
    qs = _visits(request.auth).order_by("-visited_on", "-id")
    if person is not None:
        qs = qs.filter(person=person)
    return qs


@router.get("/key-person-visits/{pk}", response=VisitOut, url_name="key-person-visits-detail", summary="读取一条走访记录")
def read_visit(request, pk: Id):
    return get_visible_or_404(_visits(request.auth), request.auth, pk=pk)


@router.post("/key-person-visits/", response={201: VisitOut, 422: Errors}, url_name="key-person-visits-create", summary="录入走访帮教（包案人、镇平安办、负责部门）")
def create_visit(request, payload: VisitIn):
    require(can_write(Visit, request.auth))
    person = get_visible_or_404(KeyPerson.objects.alive(), request.auth, pk=payload.person or 0)
    data = payload.dict(exclude={"person"})
    form = VisitForm(data={k: ("" if v is None else v) for k, v in data.items()}, person=person)
    if not form.is_valid():
        return form_errors(form)
    return Status(201, add_visit(form, request.auth))

"""The pages of every ledger, driven by its declaration (core/ledger.py)."""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safestar.audit.log import record
from safestar.audit.models import AuditEvent

from .confirm import confirm_first
from .imports import import_view, template_response
from .ledger import LEDGERS
from .ledger_ops import FILTER_PARAMS, LedgerImporter, export_columns, export_rows, filtered, restore, save, soft_delete
from .lists import paginate, render_list
from .models import Attachment
from .pages import stored
from .saving import Conflict, Locked, posted_version
from .scope import can_read, can_write, get_visible_or_404, require
from .sheets import write_xlsx, xlsx_response
from .states import EFFECTIVE_LABEL
from .uploads import LABELS, check_upload, sniff

ATTACHMENT_KINDS = {"jpg", "png", "pdf", "docx", "xlsx"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _ledger(slug, user, write=False):
    ledger = LEDGERS.get(slug)
    if ledger is None:
        raise Http404("页面不存在，或不在您的数据范围内。")
    require((can_write if write else can_read)(ledger.model, user))
    return ledger


def _filter_choices(ledger, field_name, user):
    if not field_name:
        return []
    field = ledger.field(field_name)
    if field.get_internal_type() == "BooleanField":
        return [("True", f"{field.verbose_name}：是"), ("False", f"{field.verbose_name}：否")]
    if field.many_to_one:
        options = field.related_model.objects.all()
        options = options.visible_to(user) if hasattr(options, "visible_to") else options
        return [(o.pk, str(o)) for o in options]
    return list(field.flatchoices)


@stored
def ledger_list(request, ledger):
    ledger = _ledger(ledger, request.user)
    page = paginate(request, filtered(ledger, request.user, request.GET))
    return render_list(
        request,
        "core/ledger_list.html",
        {
            "ledger": ledger,
            "page": page,
            "columns": [(name, ledger.label(name)) for name in ("division", *ledger.list_display)],
            "villages": ledger.divisions().visible_to(request.user).villages().order_by("code"),
            "kinds": _filter_choices(ledger, ledger.kind_field, request.user),
            "statuses": _filter_choices(ledger, ledger.status_field, request.user),
            "params": {k: request.GET.get(k, "") for k in FILTER_PARAMS},
            "can_write": can_write(ledger.model, request.user),
        },
    )


def ledger_detail(request, ledger, pk):
    ledger = _ledger(ledger, request.user)
    obj = get_visible_or_404(ledger.base_queryset(), request.user, pk=pk)
    writable = ledger.model.objects.writable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "core/ledger_detail.html",
        {
            "ledger": ledger,
            "obj": obj,
            "rows": [(ledger.label(name), name) for name in ("division", *ledger.fields, *ledger.readonly)],
            "attachments": Attachment.objects.alive().of(obj).select_related("uploaded_by"),
            "can_write": writable,
            "attachment_kinds": "、".join(LABELS[k] for k in sorted(ATTACHMENT_KINDS)),
            "actions": getattr(ledger, "detail_actions", lambda obj, user: [])(obj, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def ledger_edit(request, ledger, pk=None):
    ledger = _ledger(ledger, request.user, write=True)
    obj = get_visible_or_404(ledger.model.objects.alive(), request.user, write=True, pk=pk) if pk else None
    form = ledger.form_class()(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(ledger, form, request.user, version=posted_version(request) if pk else None)
        except (Conflict, Locked) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存：{obj}")
            return redirect("ledger-detail", ledger=ledger.slug, pk=obj.pk)
    return render(request, "core/ledger_form.html", {"ledger": ledger, "form": form, "obj": obj})


class DeleteForm(forms.Form):
    reason = forms.CharField(label="删除原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


@require_http_methods(["GET", "POST"])
def ledger_delete(request, ledger, pk):
    ledger = _ledger(ledger, request.user, write=True)
    obj = get_visible_or_404(ledger.model.objects.alive(), request.user, write=True, pk=pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            soft_delete(ledger.model, obj, request.user, form.cleaned_data["reason"])
        except Locked as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已删除：{obj}。删除的记录仍保留，可在“已删除”中查看和恢复。")
            return redirect("ledger-list", ledger=ledger.slug)
    return render(request, "core/ledger_delete.html", {"ledger": ledger, "obj": obj, "form": form})


@require_POST
def ledger_restore(request, ledger, pk):
    ledger = _ledger(ledger, request.user, write=True)
    obj = get_visible_or_404(ledger.model, request.user, write=True, pk=pk)
    try:
        if restore(ledger.model, obj, request.user):
            messages.success(request, f"已恢复：{obj}")
    except ValidationError as exc:
        messages.error(request, f"不能恢复：{exc.messages[0]}")
    return redirect("ledger-detail", ledger=ledger.slug, pk=obj.pk)


def ledger_history(request, ledger, pk):
    ledger = _ledger(ledger, request.user)
    obj = get_visible_or_404(ledger.model, request.user, pk=pk)
    # The record's own events; who may read them follows from who may read the record.
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-id")
    labels = {name: ledger.label(name) for name in ("division", *ledger.fields, *ledger.readonly)}
    labels["effective_on"] = EFFECTIVE_LABEL  # when the tracked changes of an update took effect (core/states.py)
    return render(
        request,
        "core/ledger_history.html",
        {"ledger": ledger, "obj": obj, "page": paginate(request, events), "labels": labels},
    )


def ledger_import(request, ledger):
    ledger = _ledger(ledger, request.user, write=True)
    return import_view(
        request,
        LedgerImporter(ledger, request.user),
        back_url=reverse("ledger-list", kwargs={"ledger": ledger.slug}),
        template_url=reverse("ledger-template", kwargs={"ledger": ledger.slug}),
    )


def ledger_template(request, ledger):
    ledger = _ledger(ledger, request.user, write=True)
    return template_response(LedgerImporter(ledger, request.user))


def ledger_export(request, ledger):
    ledger = _ledger(ledger, request.user)
    queryset = filtered(ledger, request.user, request.GET)
    params = request.GET
    period = params.get("year") or "—".join(p for p in (params.get("start"), params.get("end")) if p)
    unit = request.user.division.full_name()
    if code := params.get("village"):
        unit = next((str(d) for d in ledger.divisions().visible_to(request.user).filter(code=code)), unit)
    record("export", object_repr=f"{ledger.title}导出（{queryset.count()} 条）", changes={"filter": dict(params.items())})
    content = write_xlsx(
        title=ledger.title, columns=export_columns(ledger), rows=export_rows(ledger, queryset), unit=unit, period=period
    )
    return xlsx_response(content, f"{ledger.title}.xlsx")


def _owner(content_type_id, object_id, user, write=False):
    """The record an attachment belongs to, fetched through the scope mechanism (404 outside it)."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        model = None
    if model is None or not getattr(model, "has_attachments", False):
        raise Http404("页面不存在，或不在您的数据范围内。")
    manager = model.objects.alive() if write and hasattr(model.objects, "alive") else model.objects
    owner = get_visible_or_404(manager, user, write=write, pk=object_id)
    if write and hasattr(owner, "locked_reason") and owner.locked_reason():
        # evidence of what was approved (a completed task, a closed rectification, a recognised incident) stays as approved
        raise Http404("页面不存在，或不在您的数据范围内。")
    return owner


@require_POST
def attachment_upload(request, content_type_id, object_id):
    owner = _owner(content_type_id, object_id, request.user, write=True)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError("请选择要上传的文件。")
        data = check_upload(upload, ATTACHMENT_KINDS, MAX_ATTACHMENT_BYTES)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        attachment = Attachment(
            content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk, name=upload.name[:200],
            kind=sniff(data), size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by=request.user,
        )
        path = attachment.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        with transaction.atomic():
            attachment.save()
            record("create", attachment, object_repr=f"{owner} 的附件：{attachment.name}", changes={"sha256": [None, attachment.sha256]})
        messages.success(request, f"已上传附件：{attachment.name}")
    return redirect(_back(owner))


def _back(owner):
    from .ledger import ledger_for_model

    if hasattr(owner, "get_absolute_url"):  # records that are not ledgers (key-person visits, creation tasks)
        return owner.get_absolute_url()
    ledger = ledger_for_model(type(owner))
    return reverse("ledger-detail", kwargs={"ledger": ledger.slug, "pk": owner.pk}) if ledger else "/"


def attachment_download(request, pk):
    attachment = Attachment.objects.alive().filter(pk=pk).first()
    if attachment is None:
        raise Http404("页面不存在，或不在您的数据范围内。")
    owner = _owner(attachment.content_type_id, attachment.object_id, request.user)
    record("export", attachment, object_repr=f"下载附件：{owner} / {attachment.name}")
    inline = attachment.kind in {"jpg", "png", "pdf"}
    response = FileResponse(open(attachment.path(), "rb"), as_attachment=not inline, filename=attachment.name)
    response["Content-Type"] = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}.get(
        attachment.kind, "application/octet-stream"
    )
    return response


ATTACHMENT_DELETE = "删除后附件不再显示（文件仍保留，可由管理员恢复）。"


@require_POST
def attachment_delete(request, pk):
    attachment = Attachment.objects.alive().filter(pk=pk).first()
    if attachment is None:
        raise Http404("页面不存在，或不在您的数据范围内。")
    owner = _owner(attachment.content_type_id, attachment.object_id, request.user, write=True)
    if (asking := confirm_first(request, ATTACHMENT_DELETE, title="删除附件", subject=attachment.name, cancel=_back(owner))) is not None:
        return asking
    with transaction.atomic():
        if Attachment.objects.filter(pk=pk, deleted_at__isnull=True).update(deleted_at=timezone.now(), deleted_by=request.user):
            record("delete", attachment, object_repr=f"{owner} 的附件：{attachment.name}")
    messages.success(request, f"已删除附件：{attachment.name}（文件仍保留，可由管理员恢复）")
    return redirect(_back(owner))


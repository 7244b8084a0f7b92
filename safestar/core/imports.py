"""The one import mechanism: template download → upload → dry run → commit all rows or none.

An `Importer` names its columns, validates one row with a Django form (Chinese messages, scope
re-checked per row) and saves it. The dry run is the real import inside a transaction that is
always rolled back, so what the preview promises is exactly what the commit does.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from safestar.audit.log import record

from .sheets import SheetError, read_xlsx, write_xlsx, xlsx_response
from .uploads import check_upload

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SIGNING_SALT = "safestar.import"


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    errors: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def ok(self):
        return not self.errors

    def summary(self):
        labels = {"create": "新增", "update": "更新", "unchanged": "无变化"}
        return "，".join(f"{labels[k]} {self.counts[k]} 行" for k in labels if self.counts[k]) or "没有数据行"


class Importer:
    """Subclass per kind of record."""

    key = ""  # names the importer in signed tokens
    title = ""
    columns = ()
    row_form = forms.Form  # a form whose fields are named by column keys; gets importer=self

    def __init__(self, user):
        self.user = user
        self.seen = set()  # keys already met in this file, for duplicate checks

    def make_form(self, values):
        """The bound form that validates one row ({column key: cell value})."""
        return self.row_form(data=values, importer=self)

    def save(self, form) -> str:
        """Write one valid row (with its audit event); return "create", "update" or "unchanged"."""
        raise NotImplementedError

    def template(self):
        required = "、".join(c.label for c in self.columns if c.required)
        return write_xlsx(title=f"{self.title}导入模板", columns=self.columns, rows=[], unit=f"必填列：{required}")

    def run(self, data: bytes, commit: bool) -> ImportReport:
        report = ImportReport()
        labels = {c.key: c.label for c in self.columns}
        with transaction.atomic():
            try:
                rows = list(read_xlsx(data, self.columns))
            except SheetError as exc:
                report.errors.append(RowError(0, "—", str(exc)))
                return report
            for number, values in rows:
                self.row = number  # for messages that name another row ("与第 3 行重复")
                form = self.make_form(values)
                if not form.is_valid():
                    for key, messages_ in form.errors.items():
                        for message in messages_:
                            report.errors.append(RowError(number, labels.get(key, "—"), message))
                    continue
                if not report.errors:  # after the first bad row nothing more is written
                    report.counts[self.save(form)] += 1
            if not rows:
                report.errors.append(RowError(0, "—", "文件中没有数据行。"))
            if report.ok and commit:
                record("import", object_repr=f"{self.title}：{report.summary()}", changes=dict(report.counts))
            else:
                transaction.set_rollback(True)
        return report


def _stash(data: bytes) -> str:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(exist_ok=True)
    name = uuid.uuid4().hex
    (folder / name).write_bytes(data)
    return name


def _unstash(name: str) -> Path:
    return Path(settings.VAR_DIR) / "imports" / Path(name).name


def import_view(request, importer: Importer, *, back_url, template_url):
    """The whole import page for one importer: upload, dry-run report, confirmation, commit."""
    context = {"importer": importer, "back_url": back_url, "template_url": template_url}
    if request.method == "POST" and "token" in request.POST:
        try:
            token = signing.loads(request.POST["token"], salt=SIGNING_SALT, max_age=3600)
            assert token["user"] == request.user.pk and token["key"] == importer.key
            path = _unstash(token["file"])
            data = path.read_bytes()
        except (signing.BadSignature, AssertionError, KeyError, OSError):
            messages.error(request, "导入确认已失效，请重新上传文件。")
            return redirect(request.path)
        report = importer.run(data, commit=True)
        if report.ok:
            path.unlink(missing_ok=True)
            messages.success(request, f"导入成功：{report.summary()}。")
            return redirect(back_url)
        context["report"] = report
    elif request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError("请选择要导入的 Excel 文件。")
            data = check_upload(upload, {"xlsx"}, MAX_UPLOAD_BYTES)
        except ValidationError as exc:
            context["upload_error"] = exc.messages[0]
        else:
            report = importer.run(data, commit=False)
            context["report"] = report
            if report.ok:
                context["token"] = signing.dumps(
                    {"user": request.user.pk, "key": importer.key, "file": _stash(data)}, salt=SIGNING_SALT
                )
    return render(request, "core/import.html", context)


def template_response(importer: Importer):
    return xlsx_response(importer.template(), f"{importer.title}导入模板.xlsx")

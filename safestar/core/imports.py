"""The one import mechanism: template download → upload → (mapping step) → dry run → commit all or none.

An `Importer` names its columns (with the names clerks give them), turns one row's cells into the
values of a Django form (core/cells.py: plain functions, no queries), validates the row with that
form (Chinese messages, scope re-checked per row) and saves it. The file is read whole: every
sheet, the header found in the first rows (two-row headers too), 合计 / footer / section / blank rows
skipped and reported, the village of each row found by its column, the user's own village, the
sheet's name, the title, or a choice on the page, never guessed.

The dry run is the real import inside a transaction that is always rolled back (a staged importer's
writes nothing at all); the commit runs it again and is refused unless it does exactly what the dry run showed (the counts are signed into
the confirmation). Updates of existing records (by 系统编号) are listed with their old and new
values and need their own confirmation. A staged importer's check keeps the rows it validated
(encrypted, beside the stashed file) when validating them depended on nothing but the file and the
tables read once per file; its commit then writes those rows after re-checking only what the
database may have changed since (`checked_rows`, `restore`), instead of reading and checking the
file again.
"""

import contextlib
import dataclasses
import difflib
import gc
import hashlib
import json
import os
import pickle
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string

from safestar.audit.log import record
from safestar.clock import today

from .crypto import DecryptionError, seal, unseal
from .background import job_task, start, state
from .cells import CellError, normalise, shown, to_date
from .sheets import NOTES_SHEETS, SheetError, find_header, label_key, read_workbook, skip_reason, unescape_cell, xlsx_response
from .uploads import check_upload

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SIGNING_SALT = "safestar.import"
SPREADSHEET_KINDS = {"xlsx", "xls", "ods"}
IGNORED_LABELS = {label_key(t) for t in ("序号", "编号", "序", "No", "No.", "NO", "#")}  # row numbers: never data
LABELS = {"create": "新增", "update": "更新", "unchanged": "无变化"}


class RowRefused(Exception):
    """A staged row that cannot be written after all (changed by someone else since it was checked)."""

    def __init__(self, message, sheet="", row=0):
        super().__init__(message)
        self.sheet, self.row = sheet, row


@dataclass
class RowError:
    row: int
    column: str
    message: str
    sheet: str = ""
    value: str = ""


@dataclass
class SheetSummary:
    name: str
    read: int = 0
    counts: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # reason → rows
    note: str = ""  # why the sheet was not read at all

    def skipped_text(self):
        return "；".join(f"{reason} {n} 行" for reason, n in self.skipped.items())


@dataclass
class Change:
    sheet: str
    row: int
    record: str
    changes: list  # [(label, old, new)]


@dataclass
class ImportReport:
    errors: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    sheets: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    unmapped: dict = field(default_factory=dict)  # label key → (label as written, best guess)
    villages_needed: list = field(default_factory=list)  # [(sheet index, sheet name)]
    fills_needed: list = field(default_factory=list)  # [Column]: required columns the file lacks, given once

    @property
    def needs_choices(self):
        return bool(self.unmapped or self.villages_needed or self.fills_needed) and not self.errors

    @property
    def ok(self):
        return not self.errors and not self.needs_choices

    def summary(self):
        return "，".join(f"{LABELS[k]} {self.counts[k]} 行" for k in LABELS if self.counts[k]) or "没有数据行"

    def expected(self):
        return {k: self.counts[k] for k in LABELS}

    def to_json(self):
        """The report as JSON (kept, encrypted, as a background job's result)."""
        return {
            "errors": [dataclasses.asdict(e) for e in self.errors],
            "counts": dict(self.counts),
            "sheets": [{"name": s.name, "read": s.read, "counts": dict(s.counts), "skipped": dict(s.skipped), "note": s.note}
                       for s in self.sheets],
            "changes": [{"sheet": c.sheet, "row": c.row, "record": c.record, "changes": [list(x) for x in c.changes]}
                        for c in self.changes],
            "unmapped": {k: list(v) for k, v in self.unmapped.items()},
            "villages_needed": [list(v) for v in self.villages_needed],
            "fills_needed": [c.key for c in self.fills_needed],
        }

    @classmethod
    def from_json(cls, data, importer):
        columns = {c.key: c for c in importer.columns}
        return cls(
            errors=[RowError(**e) for e in data["errors"]],
            counts=Counter(data["counts"]),
            sheets=[SheetSummary(s["name"], s["read"], Counter(s["counts"]), Counter(s["skipped"]), s["note"]) for s in data["sheets"]],
            changes=[Change(c["sheet"], c["row"], c["record"], [tuple(x) for x in c["changes"]]) for c in data["changes"]],
            unmapped={k: tuple(v) for k, v in data["unmapped"].items()},
            villages_needed=[tuple(v) for v in data["villages_needed"]],
            fills_needed=[columns[k] for k in data["fills_needed"] if k in columns],
        )


class Importer:
    """Subclass per kind of record."""

    key = ""  # names the importer in signed tokens and remembered mappings
    title = ""
    columns = ()  # sheets.Column, with the synonyms clerks use
    row_form = forms.Form  # a form whose fields are named by column keys; gets importer=self
    uses_village = False  # rows belong to a village: resolved per row (see Villages)
    ignored = ()  # labels of columns that are read back from exports but never imported
    elsewhere = ((), "")  # (labels, note): a sheet with two of these columns belongs to another import
    # A staged importer (outcome + stage_rows + publish) checks every row without writing anything,
    # then writes them in bounded batches, invisible until one short final transaction publishes
    # them (_commit_staged); others write row by row (save) in one transaction.
    staged = False
    # Required columns that registers often do not keep (a start date: 配备日期, 登记日期 …): when the
    # file lacks one, the page asks for one value for all its rows instead of refusing the file.
    fill_once = ()

    def __init__(self, user):
        self.user = user
        self.progress = None  # background.Progress of the job running this import, if any
        self.committing = False
        self.seen = set()  # keys already met in this file, for duplicate checks
        self.row = 0
        self.sheet = ""
        self.fills = {}  # column key → the value given on the page for a column the file lacks
        self.asked_database = False  # validating a row queried the database (beyond the tables read once per file)
        self.reading_tables = False  # a table read once per file is being read (not counted in asked_database)
        self.reused_check = False  # a staged commit wrote the rows its check kept (reported by the benchmark)

    def job_args(self):
        """What `rebuild` needs besides the user to make this importer again in the worker (JSON)."""
        return []

    @classmethod
    def rebuild(cls, user, *args):
        return cls(user)

    def lookup(self):
        """label key → column key, from each column's label and synonyms."""
        table = {}
        for column in self.columns:
            for name in (column.label, *column.synonyms):
                table.setdefault(label_key(name), column.key)
        return table

    def make_form(self, values):
        """The bound form that validates one row ({column key: cell value})."""
        return self.row_form(data=values, importer=self)

    def save(self, form) -> str:
        """Write one valid row (with its audit event); return "create", "update" or "unchanged"."""
        raise NotImplementedError

    def template(self):
        from .templates import import_template

        return import_template(self)

    def run(self, data: bytes, commit: bool, mapping=None, villages=None, expect=None, fills=None, progress=None,
            checked=None) -> ImportReport:
        """Read the whole file, validate every row, write them (and keep them only when `commit`,
        no row is wrong and, for a commit, the counts are the `expect`ed ones of the dry run).

        The dry run never holds the database's write lock for more than one row (SQLite has one
        writer at a time): a staged importer writes nothing at all; the others write each row in a
        transaction of its own that is rolled back at once. Rows meet each other only through the
        importer's memory (`seen`, `ids`), so the dry run's counts are the commit's. The commit of a
        staged importer checks every row the same way, then writes them in bounded short batches
        that nobody sees until one short final transaction publishes them (`_commit_staged`); the
        others write every row in one transaction. All rows or none.

        `checked` (a staged commit): the rows its check kept (`checked_rows`, with the check's report):
        the file is then not read again; `restore` re-checks what the database may have changed since."""
        report = ImportReport()
        self.progress, self.committing = progress, commit
        self.pending = []  # (form, sheet, row) of a staged import, for publish (kept by the check too)
        args = (report, data, mapping or {}, villages or {}, fills or {})
        if not commit:
            self._run(*args)
            return report
        if self.staged:
            self.reused_check = checked is not None
            if checked is not None:
                report = ImportReport.from_json(checked["report"], self)
                self.pending = self.restore(checked["rows"], report)
            else:
                self._run(*args)
            self._expected(report, expect)
            if report.ok:
                self._commit_staged(report, fills)
            return report
        with transaction.atomic():
            self._run(*args)
            self._expected(report, expect)
            self._finish(report, fills)
        return report

    def _commit_staged(self, report, fills):
        """A staged commit: the checked rows are written in bounded batches, each in a short
        transaction of its own (`stage_rows`), marked with this import's identity and so seen by
        nobody; then one short transaction makes them all visible with the changed records and the
        import's event (`publish`). Other writers wait at most for one batch. On any failure the
        staged rows are removed (`discard`); a process killed mid-way leaves only invisible rows,
        which the scheduled cleanup removes (core/tasks.py). All rows or none."""
        self.import_id = uuid.uuid4()
        published = False
        try:
            self.stage_rows(self.pending)
            began = time.perf_counter()
            with no_collection(), transaction.atomic():
                try:
                    self.publish(self.pending)
                except RowRefused as exc:
                    report.errors.append(RowError(exc.row, "—", f"{exc}；未导入任何数据，请重新上传文件检查。", exc.sheet))
                self._finish(report, fills)
                published = report.ok
            self.final_s = time.perf_counter() - began  # for the benchmark
        finally:
            if not published:
                self.discard()

    def _expected(self, report, expect):
        if report.ok and expect is not None and report.expected() != expect:
            report.errors.append(RowError(0, "—", f"检查后数据已有变化（检查时：{_counts(expect)}；现在：{report.summary()}），"
                                                  "未导入任何数据，请重新上传文件检查。"))

    def _finish(self, report, fills):
        """Inside the commit's transaction: the import's own audit event, or roll everything back."""
        if report.ok:
            given = {self.label(key): value for key, value in (fills or {}).items()}
            record("import", object_repr=f"{self.title}：{report.summary()}",
                   changes={**report.counts, **({"整份文件统一填写": given} if given else {})})
        else:
            transaction.set_rollback(True)

    def outcome(self, form):
        """A staged importer: what saving this valid row would do ("create", "update", "unchanged")."""
        raise NotImplementedError

    def stage(self, form):
        """A staged importer: what to keep of a valid row until publish (by default the form)."""
        return form

    def checked_rows(self):
        """A staged importer, after a check without errors: the rows the commit may write without
        reading and checking the file again ([(sheet, row, values)], picklable), or None when the
        commit must check every row again: validating a row asked the database something (e.g. a
        rule about the village's other records, an existing record named by 系统编号), which may
        have changed by the commit. By default None."""
        return None

    def restore(self, rows, report):
        """A staged importer: `checked_rows` made pending again for the commit, after re-checking what
        the database may have changed since the check (errors go to `report`)."""
        raise NotImplementedError

    @contextlib.contextmanager
    def validating(self):
        """Around one row's validation: note whether it queries the database (`asked_database`),
        apart from the tables an importer reads once per file (inside `reading_tables`)."""
        def watch(execute, sql, params, many, context):
            if not self.reading_tables:
                self.asked_database = True
            return execute(sql, params, many, context)

        with connection.execute_wrapper(watch):
            yield

    def stage_rows(self, pending):
        """A staged importer: write what can be written ahead, invisible, in bounded batches, each
        batch a transaction of its own, marked with `self.import_id` (by default nothing)."""

    def publish(self, pending):
        """A staged importer: the commit's one short final transaction: make the staged rows visible
        and write the rest of [(form, sheet, row)]; raise RowRefused to refuse the whole import."""
        raise NotImplementedError

    def discard(self):
        """A staged importer: remove the rows `stage_rows` wrote for `self.import_id` (the import failed)."""

    def _write(self, form):
        """Save one valid row: for real in a commit, in a transaction rolled back at once in a dry run."""
        if self.committing:
            return self.save(form)
        with transaction.atomic():
            outcome = self.save(form)
            transaction.set_rollback(True)
        return outcome

    def _run(self, report, data, mapping, villages, fills):
        try:
            sheets = read_workbook(data)
        except SheetError as exc:
            report.errors.append(RowError(0, "—", str(exc)))
            return
        lookup = self.lookup()
        plans = []
        for index, sheet in enumerate(sheets):
            summary = SheetSummary(sheet.name)
            report.sheets.append(summary)
            if sheet.hidden:
                summary.note = "隐藏的工作表，未读取"
                continue
            if label_key(sheet.name) in NOTES_SHEETS:
                summary.note = "填写说明，未读取"
                continue
            header = find_header(sheet.rows, lookup, IGNORED_LABELS | {label_key(t) for t in self.ignored})
            if header is None:
                has_data = any(str(v).strip() for row in sheet.rows for v in row if v is not None)
                summary.note = "前20行中没有找到本表的列名，未读取" if has_data else "空白工作表"
                continue
            foreign = {label_key(t) for t in self.elsewhere[0]}
            if sum(1 for label in header.unknown.values() if label_key(label) in foreign) >= 2:
                summary.note = self.elsewhere[1]
                continue
            self._apply_mapping(header, mapping, report, summary)
            plans.append((index, sheet, header, summary))
        if not plans:
            names = "、".join(c.label for c in self.columns if c.required) or "、".join(c.label for c in self.columns)
            report.errors.append(RowError(0, "—", f"找不到表头：各工作表的前20行中都没有本表的列名（如：{names}）。"))
            return
        for index, sheet, header, summary in plans:
            present = set(header.positions.values())
            missing = [c.label for c in self.columns if c.required and c.key not in present and c.key not in self.fill_once]
            if missing and not report.unmapped:
                report.errors.append(RowError(0, "—", f"缺少必需的列：{'、'.join(missing)}", sheet=sheet.name))
        for key, value in fills.items():  # checked once here, not once per row
            column = next((c for c in self.columns if c.key == key and key in self.fill_once), None)
            try:
                if column is None:
                    raise CellError("不是可以统一填写的列")
                if column.kind == "date":
                    to_date(value)
            except CellError as exc:
                report.errors.append(RowError(0, column.label if column else key, f"统一填写的值有误：{exc}", value=shown(value)))
        if report.unmapped or report.errors:
            return
        self.fills = fills
        villages_ = Villages(self.user) if self.uses_village else None
        self.rows_total = sum(max(0, len(sheet.rows) - header.row - 1) for _, sheet, header, _ in plans)
        self.rows_done = 0
        for index, sheet, header, summary in plans:
            self.sheet = sheet.name
            default = villages_.for_sheet(sheet.name, header.title, villages.get(str(index))) if villages_ else None
            self._rows(report, sheet, header, summary, villages_, default, index)
        if report.villages_needed:
            return
        if not report.errors and not any(s.read for s in report.sheets):
            report.errors.append(RowError(0, "—", "文件中没有数据行。"))

    def _apply_mapping(self, header, mapping, report, summary):
        """Columns no field claims: taken as the mapping says, or listed for the mapping step. The
        columns left out (不导入) are named in the sheet's summary."""
        left_out = []
        for c, label in list(header.unknown.items()):
            key = label_key(label)
            if key in mapping:
                target = mapping[key]
                if target and target not in header.positions.values() and target in {col.key for col in self.columns}:
                    header.positions[c] = target
                else:
                    left_out.append(label)
                del header.unknown[c]
            else:
                report.unmapped.setdefault(key, (label, self.guess(label, header)))
        if left_out:
            summary.note = f"未导入的列（按本镇的选择）：{'、'.join(left_out)}"

    def guess(self, label, header):
        """The most likely field for an unrecognised column (not one the file already has)."""
        taken = set(header.positions.values())
        names = {}
        for column in self.columns:
            if column.key in taken or column.key in ("id", "division", "division_name"):
                continue
            for name in (column.label, *column.synonyms):
                names[label_key(name)] = column.key
        key = label_key(label)
        for name, target in names.items():
            if name and (name in key or key in name):
                return target
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.5)
        return names[close[0]] if close else ""

    def _rows(self, report, sheet, header, summary, villages_, default, index):
        labels = header.labels
        where = {key: labels[c] for c, key in header.positions.items()}
        # Columns the sheet lacks that may be given once: asked for when a row needs one (a new record;
        # an update keeps the record's own value).
        unfilled = [c for c in self.columns if c.key in self.fill_once and c.key not in header.positions.values()
                    and c.key not in self.fills]
        asked = False
        for r in range(header.row + 1, len(sheet.rows)):
            self.rows_done += 1
            if self.progress is not None:
                self.progress.progress(self.rows_done, self.rows_total,
                                       f"{'正在导入' if self.committing else '正在检查'}：工作表“{sheet.name}”第 {r + 1} 行")
            cells = sheet.rows[r]
            number = r + 1  # as Excel numbers its rows
            reason = skip_reason(cells, bool(sheet.spans) and any((r, c) in sheet.spans for c in range(len(cells))))
            if reason:
                if reason != "空行":
                    summary.skipped[reason.split("（")[0]] += 1
                continue
            values = {key: _cell(cells, c) for c, key in header.positions.items()}
            for key, value in self.fills.items():
                values.setdefault(key, value)  # the file lacks the column: the value given once on the page
            summary.read += 1
            self.row = number
            row_errors = []
            if villages_ is not None:
                try:
                    code = villages_.for_row(values, default)
                except CellError as exc:
                    column = where.get("division") or where.get("division_name") or "村"
                    value = values.get("division") or values.get("division_name") or ""
                    row_errors.append(RowError(number, column, str(exc), sheet.name, shown(value) if value else ""))
                    code = ""
                if code is None:
                    if not asked:
                        report.villages_needed.append((index, sheet.name))
                        asked = True
                    continue
                values["division"] = code
            with self.validating():
                form = self.make_form(values)
                valid = form.is_valid()
            cell_errors = getattr(form, "cell_errors", {})
            for key, message in cell_errors.items():
                row_errors.append(RowError(number, where.get(key, self.label(key)), message, sheet.name, shown(values.get(key, ""))))
            if not valid or row_errors:
                wanted = [c for c in unfilled if c.key in form.errors]
                for column in wanted:
                    if column not in report.fills_needed:
                        report.fills_needed.append(column)
                if wanted and not row_errors and set(form.errors) <= {c.key for c in wanted}:
                    continue  # the row is right once the page's value is given
                for key, messages_ in form.errors.items():
                    if key in cell_errors or (key == "division" and row_errors) or key in {c.key for c in wanted}:
                        continue  # the cell's own error says it already; a value to give once is asked for
                    for message in messages_:
                        value = values.get(key, "") if key != "__all__" else ""
                        row_errors.append(RowError(number, where.get(key, self.label(key)), message, sheet.name,
                                                   shown(value) if value not in ("", None) else ""))
                report.errors.extend(row_errors or [RowError(number, "—", "这一行有错误", sheet.name)])
                continue
            if not report.errors:  # after the first bad row nothing more is written
                change = describe_changes(form)
                if self.staged:
                    outcome = self.outcome(form)
                    if outcome != "unchanged":
                        self.pending.append((self.stage(form), sheet.name, number))
                else:
                    outcome = self._write(form)
                report.counts[outcome] += 1
                summary.counts[outcome] += 1
                if outcome == "update" and change:
                    report.changes.append(Change(sheet.name, number, change[0], change[1]))

    def label(self, key):
        return next((c.label for c in self.columns if c.key == key), "—")


@contextlib.contextmanager
def no_collection():
    """No garbage collection inside a write transaction: with tens of thousands of checked rows in
    memory, a full collection takes long enough to keep other writers waiting (SQLite has one writer)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cell(cells, c):
    value = cells[c] if c < len(cells) else ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return unescape_cell(value.strip() if isinstance(value, str) else value)


def _counts(expect):
    return "，".join(f"{LABELS[k]} {n} 行" for k, n in expect.items() if n) or "没有数据行"


def describe_changes(form):
    """What saving this form changes in its existing record: (record, [(label, old, new)]), or None
    for a new record or nothing changed. Personal data is shown masked (the model's audit_masked)."""
    instance = getattr(form, "instance", None)
    if instance is None or instance.pk is None or not form.has_changed():
        return None
    model = type(instance)
    before = model.objects.get(pk=instance.pk)
    masked = getattr(model, "audit_masked", {})
    rows = []
    for name in form.changed_data:
        if name not in form.fields:
            continue
        old = _display(before, name, None)
        new = _display(instance, name, form.cleaned_data.get(name))
        if name in masked:
            old, new = masked[name](old) if old else old, masked[name](new) if new else new
        if old != new:
            rows.append((str(form.fields[name].label), old, new))
    return (str(before), rows) if rows else None


def _display(obj, name, cleaned):
    field_ = obj._meta.get_field(name)
    if field_.many_to_many:
        items = cleaned if cleaned is not None else getattr(obj, name).all()
        return "、".join(sorted(str(i) for i in items))
    if field_.choices:
        return str(getattr(obj, f"get_{name}_display")())
    value = getattr(obj, name)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def _divisions():
    """org's Division, reached through the import mapping's town field (core lies below org and
    names its models only through such fields, never by import)."""
    from .models import ImportMapping

    return ImportMapping._meta.get_field("division").related_model.objects


class Villages:
    """The villages a user may import into, read once per file: by code, by name (长岗村, 长岗,
    长岗村委会), from a sheet's name or its title. A name two villages share is refused."""

    SUFFIXES = ("村民委员会", "村委会", "社区居委会", "居委会", "社区", "村")

    def __init__(self, user):
        villages = list(_divisions().visible_to(user).villages().only("id", "code", "name"))
        self.by_code = {v.code: v for v in villages}
        self.by_name = {}  # full names and stems (长岗村, 长岗): for a cell or a sheet's name
        self.full_names = {}  # full names only: a title "长岗镇……台账" must not read as 长岗村
        for v in villages:
            self.full_names.setdefault(normalise(v.name), []).append(v)
            for name in {normalise(v.name), self._stem(v.name)}:
                self.by_name.setdefault(name, []).append(v)
        self.own = villages[0] if len(villages) == 1 else None  # a village user's own village

    def _stem(self, name):
        name = normalise(name)
        for suffix in self.SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name

    def named(self, text):
        """The village a name or code means, None if none; CellError if two villages have that name."""
        key = normalise(text)
        if key in self.by_code:
            return self.by_code[key]
        found = self.by_name.get(key) or self.by_name.get(self._stem(key)) or []
        unique = {v.pk: v for v in found}
        if len(unique) > 1:
            towns = "、".join(sorted(v.code for v in unique.values()))
            raise CellError(f"村名“{text}”有 {len(unique)} 个村重名（{towns}），请填写村级区划代码")
        return next(iter(unique.values()), None)

    def for_sheet(self, sheet_name, title_lines, chosen):
        """A sheet's own village: its name, else a village named in its title, else the choice made on
        the page (a code). None when nothing says."""
        if chosen and chosen in self.by_code:
            return self.by_code[chosen].code
        try:
            if village := self.named(sheet_name):
                return village.code
        except CellError:
            pass
        found = {}
        for line in title_lines:
            key = normalise(line)
            for name, villages in self.full_names.items():
                if name in key and len(villages) == 1:
                    found[villages[0].pk] = villages[0]
        if len({v.pk for v in found.values()}) == 1:
            return next(iter(found.values())).code
        return None

    def for_row(self, values, default):
        """The village (code) of a row: its code or name column, the user's own village, the sheet's;
        None when nothing says (the page asks). CellError for a name or code that is not one of the
        user's villages."""
        code = str(values.pop("division", "") or "").strip()
        name = str(values.pop("division_name", "") or "").strip()
        if code:
            village = self.by_code.get(normalise(code))
            if village is None:
                raise CellError(f"村 {code} 不存在或不在您的管辖范围内")
            return village.code  # the code decides; the name beside it is for reading (as exports write it)
        if name:
            village = self.named(name)
            if village is None:
                raise CellError(f"村“{name}”不存在或不在您的管辖范围内")
            return village.code
        if self.own is not None:
            return self.own.code
        return default


def town_of(division):
    """The division whose import mappings a user shares: the town for village users and below."""
    while division.level in ("village", "grid") and division.parent_id:
        division = division.parent
    return division


def saved_mapping(user, key):
    from .models import ImportMapping

    found = ImportMapping.objects.filter(division=town_of(user.division), importer=key).first()
    return found.columns if found else {}


def save_mapping(user, key, columns):
    from .models import ImportMapping

    with transaction.atomic():
        found, _ = ImportMapping.objects.get_or_create(
            division=town_of(user.division), importer=key, defaults={"updated_by": user, "columns": {}}
        )
        before = dict(found.columns)
        found.columns = before | columns
        found.updated_by = user
        found.save()
        record("update", found, actor=user, object_repr=f"导入列对应：{key}", changes={"columns": [before, found.columns]})


def _stash_dir():
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _stash(data: bytes, user) -> str:
    """Keep an uploaded file until its import is confirmed or cancelled: encrypted with the field key
    and bound to its uploader (core/crypto.py seal), owner-only (0600), removed on commit, cancel, or
    after SAFESTAR_STASH_MAX_AGE by the scheduled cleanup (core/tasks.py)."""
    name = uuid.uuid4().hex
    fd = os.open(_stash_dir() / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(seal(data, f"import:{user.pk}"))
    return name


def _unstash_path(name: str) -> Path:
    return _stash_dir() / Path(str(name)).name


def _unstash(name: str, user) -> bytes:
    """The stashed file's bytes, for its uploader only (OSError otherwise, as for a missing file)."""
    try:
        return unseal(_unstash_path(name).read_bytes(), f"import:{user.pk}")
    except DecryptionError as exc:
        raise OSError(str(exc)) from None


def drop_stash(name: str):
    _unstash_path(name).unlink(missing_ok=True)
    _checked_path(name).unlink(missing_ok=True)


def _checked_path(name: str) -> Path:
    return _stash_dir() / f"{Path(str(name)).name}.checked"


def _checked_context(name, user, importer_key, choices):
    """What a check's kept rows are bound to: the uploader, the file, the importer and the choices
    made on the page (a commit with other choices cannot use them)."""
    digest = hashlib.sha256(json.dumps(choices, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"import-checked:{user.pk}:{Path(str(name)).name}:{importer_key}:{digest}"


def _keep_checked(name, user, importer, choices, report, rows):
    """Keep the rows a check validated beside the stashed file, encrypted and bound like it (owner-only,
    removed with it). The pickle is only ever read back after its authenticated decryption succeeds."""
    payload = {"day": today().isoformat(), "report": report.to_json(), "rows": rows}
    blob = seal(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), _checked_context(name, user, importer.key, choices))
    fd = os.open(_checked_path(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(blob)


def _kept_checked(name, user, importer, choices):
    """The rows the check of this file kept for this commit, or None (none kept, not this user's,
    other choices, or checked on another day: "today" bounds every date, so check again)."""
    try:
        blob = _checked_path(name).read_bytes()
        payload = pickle.loads(unseal(blob, _checked_context(name, user, importer.key, choices)))
    except (OSError, DecryptionError):
        return None
    return payload if payload.get("day") == today().isoformat() else None


def remove_expired_stashes(now=None) -> int:
    """Delete stashed uploads older than SAFESTAR_STASH_MAX_AGE; returns how many."""
    limit = (now or time.time()) - getattr(settings, "SAFESTAR_STASH_MAX_AGE", 3600)
    removed = 0
    for path in _stash_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def _token(request, importer, name, **extra):
    return signing.dumps({"user": request.user.pk, "key": importer.key, "file": name, **extra}, salt=SIGNING_SALT)


def _mapping_choices(importer):
    return [("", "不导入")] + [(c.key, c.label) for c in importer.columns]


def import_view(request, importer: Importer, *, back_url, template_url):
    """The whole import page for one importer: upload, mapping step, dry-run report, confirmation,
    commit. The check and the commit run as background jobs (import_job); the page shows their
    progress (`?job=<id>`) and then their report."""
    context = {"importer": importer, "back_url": back_url, "template_url": template_url}
    if request.method == "GET" and request.GET.get("job"):
        return _job_page(request, importer, context, back_url)
    if request.method == "POST" and "token" in request.POST:
        try:
            token = signing.loads(request.POST["token"], salt=SIGNING_SALT, max_age=STASH_MAX_AGE())
            assert token["user"] == request.user.pk and token["key"] == importer.key
            _unstash_path(token["file"]).stat()
        except (signing.BadSignature, AssertionError, KeyError, OSError, TypeError):
            messages.error(request, "导入确认已失效，请重新上传文件。")
            return redirect(request.path)
        step = request.POST.get("step")
        if request.POST.get("cancel"):
            drop_stash(token["file"])
            messages.info(request, "已取消导入，上传的文件已删除。")
            return redirect(request.path)
        if step == "choose":
            return _start(request, importer, context, back_url, token["file"], _choices_from(request, importer, token))
        choices = {"mapping": token.get("mapping", {}), "villages": token.get("villages", {}), "fills": token.get("fills", {})}
        if token.get("confirm") and request.POST.get("confirm_updates") != "1":
            return _start(request, importer, context, back_url, token["file"], choices, confirm_error=True)
        return _start(request, importer, context, back_url, token["file"], choices, commit=True, expect=token.get("expect"))
    elif request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError("请选择要导入的 Excel 文件。")
            data = check_upload(upload, SPREADSHEET_KINDS, MAX_UPLOAD_BYTES)
        except ValidationError as exc:
            context["upload_error"] = exc.messages[0]
        else:
            choices = {"mapping": saved_mapping(request.user, importer.key), "villages": {}, "fills": {}}
            return _start(request, importer, context, back_url, _stash(data, request.user), choices)
    return render(request, "core/import.html", context)


def STASH_MAX_AGE():
    return int(getattr(settings, "SAFESTAR_STASH_MAX_AGE", 3600))


@job_task
def import_job(progress, importer, args, user, file, choices, commit=False, expect=None):
    """Check (dry run) or commit a stashed file in the worker; the report is the job's result."""
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(pk=user)
    instance = import_string(importer).rebuild(owner, *args)
    report = run_stashed(instance, file, choices, commit=commit, expect=expect, progress=progress)
    if report is None:
        return {"key": instance.key, "gone": True}
    return {"key": instance.key, "report": report.to_json(), "commit": commit, "file": file, "choices": choices}


def run_stashed(importer, file, choices, *, commit=False, expect=None, progress=None):
    """Check or commit the stashed upload `file` with the page's `choices` (None when the file is
    gone). A check that allows it keeps its rows for the commit (`checked_rows`); the commit uses
    them if kept today for these choices, and then does not read the file again. The stash is
    removed once imported, or refused by its check."""
    owner = importer.user
    checked = _kept_checked(file, owner, importer, choices) if commit else None
    try:
        data = _unstash(file, owner) if checked is None else None
    except OSError:
        return None
    if progress is not None:
        progress.progress(0, 0, "正在读取文件" if checked is None else "正在准备写入", force=True)
    report = importer.run(data, commit=commit, mapping=choices["mapping"], villages=choices["villages"],
                          fills=choices["fills"], expect=expect, progress=progress, checked=checked)
    if not commit and report.ok and (rows := importer.checked_rows()) is not None:
        _keep_checked(file, owner, importer, choices, report, rows)
    if (commit and report.ok) or (not report.ok and not report.needs_choices and not commit):
        drop_stash(file)  # imported, or refused: nothing more will be done with the file
    return report


def _start(request, importer, context, back_url, name, choices, *, commit=False, expect=None, confirm_error=False):
    """Run the check or the commit of a stashed file as a background job; show its page."""
    cls = type(importer)
    job = start(request.user, import_job, f"{'导入' if commit else '检查'}{importer.title}",
                importer=f"{cls.__module__}.{cls.__qualname__}", args=importer.job_args(), user=request.user.pk,
                file=name, choices=choices, commit=commit, expect=expect)
    if job.finished:  # run at once (tests, or no queue): answer with its result straight away
        return _job_page(request, importer, context, back_url, job=job, updates=confirm_error)
    return redirect(f"{request.path}?job={job.pk}" + ("&updates=1" if confirm_error else ""))


def _job_page(request, importer, context, back_url, job=None, updates=None):
    """A check's or a commit's page: its progress while it runs, then its report and the next step."""
    from .models import Job

    if job is None:
        try:
            job = Job.objects.filter(pk=request.GET["job"], user=request.user).first()
        except (ValidationError, ValueError):
            job = None
    result = job.result if job is not None and job.status == Job.Status.DONE else None
    if job is None or (result is not None and result.get("key") != importer.key):
        messages.error(request, "没有找到这次导入，请重新上传文件。")
        return redirect(request.path)
    if not job.finished:
        context |= {"job": job, "job_state": state(job)}
        return render(request, "core/import.html", context)
    if job.status == Job.Status.FAILED:
        context["upload_error"] = "导入任务执行出错，未导入任何数据；请重新上传文件，仍有问题请联系系统管理员。"
        return render(request, "core/import.html", context)
    if result.get("gone"):
        messages.error(request, "导入确认已失效（上传的文件已过期或已处理），请重新上传文件。")
        return redirect(request.path)
    report = ImportReport.from_json(result["report"], importer)
    context["report"] = report
    if result["commit"]:
        if report.ok:
            messages.success(request, f"导入成功：{report.summary()}。")
            return redirect(back_url)
        return render(request, "core/import.html", context)
    name, choices = result["file"], result["choices"]
    if report.needs_choices:
        context |= {
            "token": _token(request, importer, name, villages=choices["villages"], fills=choices["fills"]),
            "step": "choose",
            "fields": _mapping_choices(importer),
            "villages": _divisions().visible_to(request.user).villages().order_by("code") if report.villages_needed else [],
        }
    elif report.ok:
        context["token"] = _token(request, importer, name, mapping=choices["mapping"], villages=choices["villages"],
                                  fills=choices["fills"], expect=report.expected(), confirm=bool(report.changes))
        if updates or (updates is None and request.GET.get("updates") == "1"):
            context["confirm_error"] = "文件中有更新已有记录的行：请核对下面列出的修改，勾选确认后再导入。"
    return render(request, "core/import.html", context)


def _choices_from(request, importer, token):
    """The mapping step's answers, added to those of earlier steps (in the token): {label key: field}
    (remembered for the town), {sheet: village}, {column: the value given once for the file}."""
    allowed = {key for key, _ in _mapping_choices(importer)}
    mapping = {}
    for name, value in request.POST.items():
        if name.startswith("map:") and value in allowed:
            mapping[name[4:]] = value
    if mapping:
        save_mapping(request.user, importer.key, mapping)
    villages = {name[8:]: value for name, value in request.POST.items() if name.startswith("village:") and value}
    fills = {name[5:]: value.strip() for name, value in request.POST.items()
             if name.startswith("fill:") and name[5:] in importer.fill_once and value.strip()}
    return {"mapping": saved_mapping(request.user, importer.key) | mapping,
            "villages": token.get("villages", {}) | villages, "fills": token.get("fills", {}) | fills}


def template_response(importer: Importer):
    return xlsx_response(importer.template(), f"{importer.title}导入模板.xlsx")

"""`safestar bench import`: the import's throughput, end to end, beside a bare insert of the same rows.

Builds a workbook of N rows of one ledger (its declared example, in the village of the account),
then times, in this process (wall clock and the process's CPU time), as the page's background jobs
run them (core/imports.py run_stashed: the upload stashed, the check keeping the rows it validated):
the check (dry run), the commit, and a bare `bulk_create` of the same
records (rolled back), with the queries of each and the process's peak memory. On SQLite another
session (its own process and connection) saves a record every second during the check and the
commit with a busy timeout of 1 s: its waits and failures are reported for each (a failure means a
writer was blocked for more than a second).
"""

import datetime
import io
import resource
import multiprocessing
import time

import xlsxwriter
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import connection, transaction

from safestar.bench.saver import save_every_second
from safestar.core.imports import _stash, run_stashed
from safestar.core.ledger import LEDGERS
from safestar.core.ledger_ops import LedgerImporter
from safestar.org.models import User


def workbook(ledger, user, rows):
    """N rows as a clerk's register has them, no two alike: the template's example row (choices as
    their Chinese words, yes/no as 是/否), its dates real date cells one day earlier on each row (the
    example's order of dates kept, a year of records), its free texts numbered."""
    importer = LedgerImporter(ledger, user)
    columns = [c for c in importer.columns if c.key not in ("id", "division")]
    village = importer_village(user)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(village.name)
    sheet.write_row(0, 0, [c.label for c in columns])
    cells = [_cell_writer(ledger, c, village.name if c.key == "division_name" else c.example, dated) for c in columns]
    for r in range(1, rows + 1):
        for c, write in enumerate(cells):
            write(sheet, r, c)
    book.close()
    return buffer.getvalue()


def _cell_writer(ledger, column, value, dated):
    """How row r writes this column's example value."""
    field = ledger.field(column.key) if column.key in ledger.fields else None
    if isinstance(value, datetime.date):
        return lambda sheet, r, c: sheet.write_datetime(r, c, value - datetime.timedelta(days=r % 365), dated)
    if isinstance(value, bool):
        value = "是" if value else "否"
    elif (column.kind == "text" and value and isinstance(value, str) and field is not None and not field.many_to_one
          and all(isinstance(v, MaxLengthValidator) for v in field.validators)
          and len(value) + 8 <= (field.max_length or 10_000)):
        return lambda sheet, r, c: sheet.write_string(r, c, f"{value}（{r}）")  # a free text: no validator but its length
    return lambda sheet, r, c: sheet.write(r, c, value)


def importer_village(user):
    from safestar.org.models import Division

    return Division.objects.visible_to(user).villages().order_by("code").first()


class Saver:
    """A second session saving a record every second while the import runs (SQLite only)."""

    def __init__(self, code):
        context = multiprocessing.get_context("spawn")
        self.stop, self.out = context.Event(), context.Queue()
        self.process = context.Process(target=save_every_second, daemon=True,
                                       args=(str(settings.DATABASES["default"]["NAME"]), code, self.stop, self.out))
        self.saves = []

    def start(self):
        self.process.start()

    def finish(self):
        self.stop.set()
        while (item := self.out.get(timeout=30)) is not None:
            self.saves.append(item)
        self.process.join(timeout=10)

    def during(self, began, ended):
        """Saves begun between `began` and `ended` (time.time()): count, failures, longest wait."""
        inside = [wait for at, wait in self.saves if began <= at <= ended]
        waits = [w for w in inside if w is not None]
        return {"saves": len(inside), "failed": len(inside) - len(waits),
                "max_wait_ms": round(1000 * max(waits, default=0), 1)}


class counted(list):
    """The statements run on `connection` inside the block, counted by an execute wrapper. Not Django's
    CaptureQueriesContext: its debug cursor writes out every statement with its parameters (on SQLite
    one extra SELECT per 999 parameters), which for an INSERT of hundreds of rows costs more than the
    INSERT itself and would be timed as the import's, inside its write transactions."""

    def __init__(self, connection):
        super().__init__()
        self.connection = connection

    def __enter__(self):
        def count(execute, sql, params, many, context):
            self.append(sql[:60])
            return execute(sql, params, many, context)

        self.wrapper = self.connection.execute_wrapper(count)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self.wrapper.__exit__(*exc)


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows, username, slug):
    user = User.objects.get(username=username)
    ledger = LEDGERS[slug]
    data = workbook(ledger, user, rows)
    result = {"rows": rows, "ledger": slug, "database": connection.vendor, "file_kb": len(data) // 1024}

    saver = Saver(importer_village(user).code) if connection.vendor == "sqlite" else None
    if saver:
        saver.start()
        time.sleep(2)  # the other session is saving before the import starts
    # As the page's background jobs do (core/imports.py run_stashed): the upload stashed encrypted, the
    # check keeping its rows, the commit writing them.
    stashed, choices = _stash(data, user), {"mapping": {}, "villages": {}, "fills": {}}
    check_began = time.time()
    with counted(connection) as queries:
        began, cpu = time.perf_counter(), time.process_time()
        report = run_stashed(LedgerImporter(ledger, user), stashed, choices)
        result["check_s"] = time.perf_counter() - began
        result["check_cpu_s"] = time.process_time() - cpu
    assert report.ok, report.errors[:3]
    result["check_queries"] = len(queries)
    result["peak_mb_after_check"] = _peak_mb()

    commit_began = time.time()
    with counted(connection) as queries:
        began, cpu = time.perf_counter(), time.process_time()
        importer = LedgerImporter(ledger, user)
        report = run_stashed(importer, stashed, choices, commit=True, expect=report.expected())
        result["commit_s"] = time.perf_counter() - began
        result["commit_cpu_s"] = time.process_time() - cpu
    result["commit_reused_check"] = importer.reused_check
    result["longest_batch_ms"] = round(1000 * importer.longest_batch_s, 1)  # write transactions: others wait at most this
    result["final_transaction_ms"] = round(1000 * importer.final_s, 1)
    assert report.ok, report.errors[:3]
    result["commit_queries"] = len(queries)
    if saver:
        ended = time.time()
        saver.finish()
        result["saver_during_check"] = saver.during(check_began, commit_began)
        result["saver_during_commit"] = saver.during(commit_began, ended)
    result["peak_mb"] = _peak_mb()

    # The same records, inserted bare (no reading, no validation, no audit), then rolled back.
    model = ledger.model
    template = model.objects.filter(created_by=user).order_by("-pk").first()
    fields = {f.attname: getattr(template, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    with transaction.atomic():
        began = time.perf_counter()
        model.objects.bulk_create([model(**fields) for _ in range(rows)], batch_size=1000)
        result["bare_insert_s"] = time.perf_counter() - began
        transaction.set_rollback(True)
    for key in ("check", "commit"):
        result[f"{key}_rows_per_s"] = round(rows / result[f"{key}_s"])
    result["end_to_end_rows_per_s"] = round(rows / (result["check_s"] + result["commit_s"]))
    # The process's CPU time: on a shared, loaded machine the wall clock mostly measures the others.
    result["end_to_end_cpu_rows_per_s"] = round(rows / (result["check_cpu_s"] + result["commit_cpu_s"]))
    result["bare_rows_per_s"] = round(rows / result["bare_insert_s"])
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}

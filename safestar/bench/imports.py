"""`safestar bench import`: the import's throughput, end to end, beside a bare insert of the same rows.

Builds a workbook of N rows of one ledger (its declared example, in the village of the account),
then times, in this process: the check (dry run), the commit, and a bare `bulk_create` of the same
records (rolled back), with the queries of each and the process's peak memory. On SQLite a second
connection saves a record every second during the commit with a busy timeout of 1 s: its waits and
failures are reported (a failure means a writer was blocked for more than a second).
"""

import io
import resource
import sqlite3
import threading
import time

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from safestar.core.ledger import LEDGERS
from safestar.core.ledger_ops import LedgerImporter
from safestar.org.models import User


def workbook(ledger, user, rows):
    importer = LedgerImporter(ledger, user)
    columns = [c for c in importer.columns if c.key not in ("id", "division")]
    village = importer_village(user)
    example = dict(ledger.example, division_name=village.name)
    values = [("是" if v else "否") if isinstance(v, bool) else v for v in (example.get(c.key, "") for c in columns)]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = book.add_worksheet(village.name)
    sheet.write_row(0, 0, [c.label for c in columns])
    for r in range(1, rows + 1):
        sheet.write_row(r, 0, values)
    book.close()
    return buffer.getvalue()


def importer_village(user):
    from safestar.org.models import Division

    return Division.objects.visible_to(user).villages().order_by("code").first()


class Saver(threading.Thread):
    """Saves a record every second on its own SQLite connection, busy timeout 1 s."""

    def __init__(self, code):
        super().__init__(daemon=True)
        self.code, self.waits, self.failed, self.stop = code, [], 0, threading.Event()

    def run(self):
        db = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=1, isolation_level=None)
        while not self.stop.is_set():
            began = time.perf_counter()
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute("UPDATE org_division SET name = name WHERE code = ?", [self.code])
                db.execute("COMMIT")
                self.waits.append(time.perf_counter() - began)
            except sqlite3.OperationalError:
                self.failed += 1
            self.stop.wait(1)
        db.close()


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows, username, slug):
    user = User.objects.get(username=username)
    ledger = LEDGERS[slug]
    data = workbook(ledger, user, rows)
    result = {"rows": rows, "ledger": slug, "database": connection.vendor, "file_kb": len(data) // 1024}

    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        report = LedgerImporter(ledger, user).run(data, commit=False)
        result["check_s"] = time.perf_counter() - began
    assert report.ok, report.errors[:3]
    result["check_queries"] = len(queries)
    result["peak_mb_after_check"] = _peak_mb()

    saver = Saver(importer_village(user).code) if connection.vendor == "sqlite" else None
    if saver:
        saver.start()
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        report = LedgerImporter(ledger, user).run(data, commit=True, expect=report.expected())
        result["commit_s"] = time.perf_counter() - began
    assert report.ok, report.errors[:3]
    result["commit_queries"] = len(queries)
    if saver:
        saver.stop.set()
        saver.join()
        result["saver"] = {"saves": len(saver.waits), "failed": saver.failed,
                           "max_wait_ms": round(1000 * max(saver.waits, default=0), 1)}
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
    result["bare_rows_per_s"] = round(rows / result["bare_insert_s"])
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}

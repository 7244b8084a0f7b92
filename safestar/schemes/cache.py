"""Evaluation results reused: each village's live result by a scheme (or by an evaluation round with
its points) is stored as JSON and reused by services.results() while nothing it may read has changed.

Invalidation is one mechanism with no way around it: a hook on every database connection
(`watch`, installed by apps.py on connection_created) sees every SQL statement; before any
statement that writes a table (INSERT / UPDATE / DELETE, and SELECT … FOR UPDATE, which precedes
writes) other than the few in UNWATCHED, it takes the single ResultGeneration row's lock and then
bumps, in the same transaction, the generations of the villages the statement writes (written.py:
VillageGeneration), or, when which villages is not certain, the generation of all (ResultGeneration.n).
So ORM saves, QuerySet.update(), bulk_create(), deletes, save_form, the importer, transitions,
migrations and raw SQL all invalidate alike; a stored result is used only while both the generation
and its village's generation are those it was computed at, and on the day it was computed (results
read "today": overdue visits, the current year). The lock comes before the write so that every
writing transaction takes the generation row's lock first (one lock order: no deadlock between two
writers over it, and no writer commits between the hook finding a statement's rows and the statement).

Correctness does not depend on timing: a reader reads the generations before the facts, so a result
is never stored under generations newer than the data it was computed from; a write committed while
it computes makes the stored result stale at once (a generation moved on).

A write in one village leaves the stored results of the others valid (the county's ranking after one
record computes one village again, not hundreds). What cannot be told (a town's record, a scheme, an
account, a statement of unknown shape) makes every stored result stale, as every write once did.

The same hook also draws a new random `facts` token, except for a write to a table no fact is gathered
from (facts_unread(): an evaluation round's own rows, stars, the creation's and the reports' tables).
`gathered()` keeps the facts of a few villages in this process under the token they were read at, so
that a round's steps, which write those rows between two scorings of the same village, gather its facts
once: gathering is most of the cost of scoring a village.
The token is random rather than counted so that a rolled-back write and a later one never share it.
"""

import datetime
import fcntl
import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from functools import lru_cache

from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from safestar.clock import today
from safestar.core import compiled
from safestar.core.statements import WRITE, writes

from . import written
from .engine import IncidentFact, IndicatorResult, PendingIncident, VetoHit, VillageResult

logger = logging.getLogger(__name__)

# Tables whose writes cannot change a result: what the results read is checked against this list by
# schemes/tests/test_cache.py (no facts query reads these tables).
UNWATCHED = {
    "schemes_resultgeneration", "schemes_villagegeneration", "schemes_cachedresult",
    "audit_auditevent", "django_session", "django_admin_log", "django_content_type", "django_migrations",
    "auth_permission", "auth_group", "auth_group_permissions",
    "org_apitoken", "org_usersession", "core_job", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog",
    "notices_notice", "notices_delivery", "django_tasks_database_dbtaskresult",
    # authenticators: a two-factor sign-in saves its device (a counter); no result or stored page reads them
    "otp_totp_totpdevice", "otp_static_staticdevice", "otp_static_statictoken",
}
# Tables the facts never read (facts.gather: the ledgers', the incidents' and the schemes' own tables,
# through metrics that only the ledger apps register): those of the apps above the schemes in the layers
# (pyproject.toml: an evaluation round's entries and points, stars, creation, work reports, snapshots)
# and the step events. A write to them makes the stored results stale (a round's results show its
# points), not the facts gathered before it. Checked by schemes/tests/test_cache.py.
ABOVE_SCHEMES = ("evaluation_", "creation_", "reports_", "dashboards_")


def facts_unread(table):
    return table == "core_event" or table.startswith(ABOVE_SCHEMES)
# Logins stamp the account (last_login) on every sign-in; no result reads it.
LAST_LOGIN = re.compile(r'^\s*UPDATE\s+"?org_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE', re.I)
TAKE = "UPDATE schemes_resultgeneration SET n = n"  # only the row's lock: every writer takes it first
BUMP = "UPDATE schemes_resultgeneration SET n = n + 1"
NEW_TOKEN = {  # a new random facts token (62 bits, as models.random_token)
    "sqlite": "UPDATE schemes_resultgeneration SET facts = random() & 4611686018427387903",
    "postgresql": "UPDATE schemes_resultgeneration SET facts = floor(random() * 4611686018427387904)::bigint",
}
NEW_FACTS = {vendor: sql.replace("SET ", "SET n = n + 1, ") for vendor, sql in NEW_TOKEN.items()}  # BUMP and a new token
VILLAGES_BUMP = ("INSERT INTO schemes_villagegeneration (village, n) VALUES {} "
                 "ON CONFLICT (village) DO UPDATE SET n = schemes_villagegeneration.n + 1")


EXISTS = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schemes_resultgeneration'",
    "postgresql": "SELECT 1 WHERE to_regclass('schemes_resultgeneration') IS NOT NULL",
}
migrating = False  # while `migrate` runs: the table may not exist yet; post_migrate bumps once after


def watch(execute, sql, params, many, context):
    """The execute wrapper on every connection: bump the generation before a relevant write."""
    if isinstance(sql, str) and not migrating:
        table = writes(sql)
        if table is not None and table not in UNWATCHED and not LAST_LOGIN.match(sql):
            # The raw DB-API cursor: in the same transaction, not logged as one of the page's queries.
            raw, db = context["cursor"].cursor, context["connection"]
            if getattr(db, "results_generation_table", None) is None:
                raw.execute(EXISTS[db.vendor])
                db.results_generation_table = raw.fetchone() is not None
            if db.results_generation_table:
                bump(raw, db.vendor, table, sql, params, many)
    return execute(sql, params, many, context)


def bump(raw, vendor, table, sql, params, many):
    """Before the statement: the generation row's lock and a new facts token (unless the table is in
    facts_unread()); then the generations of the villages it writes, or, when that is not certain
    (written.py), the generation of all."""
    if not WRITE.match(sql):  # SELECT … FOR UPDATE: the lock only; the write that follows bumps
        raw.execute(TAKE)
        return
    raw.execute(TAKE if facts_unread(table) else NEW_TOKEN[vendor])
    villages = written.villages(raw, table, sql, params, many)
    if villages is None:
        raw.execute(BUMP)
    elif villages:
        villages = sorted(villages)
        raw.execute(VILLAGES_BUMP.format(", ".join(["(%s, 1)"] * len(villages))), villages)


def install(sender=None, connection=None, **kwargs):
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, watch)


def pause(**kwargs):
    global migrating
    migrating = True


def resume(using="default", **kwargs):
    """After migrate: a migration may have changed what results read; every stored one is stale."""
    global migrating
    from django.db import connections

    migrating = False
    db = connections[using]
    db.results_generation_table = None
    with db.cursor() as cursor:
        cursor.execute(EXISTS[db.vendor])
        if cursor.fetchone() is not None:
            cursor.execute(NEW_FACTS[db.vendor])


# After a restore the counts are set back, and later writes would reach counts that stored pages
# and results were kept under before the restore, for other data: the generation jumps ahead by a
# random amount (2^40 and up: past any count reached before, and never the same jump twice).
JUMP = {
    "sqlite": "UPDATE schemes_resultgeneration SET n = n + 1099511627776 + (random() & 1099511627775), "
              "facts = random() & 4611686018427387903",
    "postgresql": "UPDATE schemes_resultgeneration SET n = n + 1099511627776 + floor(random() * 1099511627776)::bigint, "
                  "facts = floor(random() * 4611686018427387904)::bigint",
}


def restored(**kwargs):
    """After core/backup.restore(): nothing kept from before is used again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(JUMP[connection.vendor])


def generation():
    """The current generation; None when its row was missing (a flushed test database): it is made
    again and the stored results dropped, and nothing is reused or stored this time."""
    from .models import CachedResult, ResultGeneration

    n = ResultGeneration.objects.filter(pk=1).values_list("n", flat=True).first()
    if n is None:  # the row is gone (a flushed database): start again, with nothing stored
        with transaction.atomic():
            CachedResult.objects.all().delete()
            ResultGeneration.objects.get_or_create(pk=1, defaults={"n": 0})
        n = None  # nothing reused or stored in this request
    return n


# -- the facts of a few villages, kept in this process while their token stands ----------------------

KEPT = 64  # gatherings kept (each a few villages' Facts: small)
_kept = OrderedDict()  # (scheme, year, villages, day, token) → Facts, the most recently used last
_keeping = threading.Lock()  # a threaded server (the browser tests' live server) serves requests side by side


def gathered(scheme, villages):
    """facts.gather() for `villages` (a few ids, their counts read together), or the Facts this process
    gathered for them under the current facts token, the same day. The token is read first, before
    the facts, as the generation is (a write committed meanwhile gives the next reader a new token)."""
    from .facts import gather
    from .models import ResultGeneration

    token = ResultGeneration.objects.filter(pk=1).values_list("facts", flat=True).first()
    key = (scheme.pk, scheme.year, tuple(villages), today(), token)
    with _keeping:
        facts = _kept.get(key) if token is not None else None
        if facts is not None:
            _kept.move_to_end(key)
    if facts is None:
        facts = gather(scheme.spec, scheme.year, villages, together=True)
        if token is not None:
            with _keeping:
                _kept[key] = facts
                while len(_kept) > KEPT:
                    _kept.popitem(last=False)
    return facts


def forget():
    """Drop the facts kept in this process (tests: to count the queries of gathering them again)."""
    with _keeping:
        _kept.clear()


# -- one process at a time computes a scheme's results ----------------------------------------------

def lock_file(scheme, variant):
    from django.conf import settings
    from django.db import connection

    folder = settings.VAR_DIR / "locks"
    folder.mkdir(exist_ok=True)
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:12]
    return folder / f"results-{database}-{scheme.pk}-{variant}.lock"


WAIT = 5  # seconds at most that a process waits for another to compute (then it computes too)


@contextmanager
def computing(scheme, variant):
    """Held while this process computes and stores a few villages' results of (scheme, variant); gives
    whether it had to wait for another. After a write the server's workers often find the same village
    stale at once, and each would compute it (most of a page's cost): the others wait here, then read
    again and find it stored (services.results). A lock file in SAFESTAR_VAR per database (flock: the
    workers of one server; let go when its process ends), waited for at most WAIT seconds. Not inside
    a transaction, where a waiter may hold a database lock the store it waits for needs: there every
    process computes, as before."""
    from django.db import connection

    if connection.in_atomic_block:
        yield False
        return
    with open(lock_file(scheme, variant), "a") as handle:
        waited, deadline = False, time.monotonic() + WAIT
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = True
                if time.monotonic() > deadline:
                    break  # computed here too, without the lock
                time.sleep(0.01)
        try:
            yield waited
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)  # (nothing, when not held)


# -- JSON, an exact inverse of the engine's VillageResult -------------------------------------------

def _incident(x):
    return [x.id, x.kind, x.kind_name, x.severity, x.title, x.date.isoformat()]


def _incident_back(x):
    return IncidentFact(x[0], x[1], x[2], x[3], x[4], datetime.date.fromisoformat(x[5]))


def dump(result):
    """(payload, indicator rows as JSON text): what CachedResult stores of a result."""
    payload = {
        "total": result.total, "status": result.status, "band": result.band,
        "undetermined": list(result.undetermined),
        "vetoes": [[v.code, v.title, [_incident(x) for x in v.incidents]] for v in result.vetoes],
        "pending": [[_incident(p.incident), [v.code for v in p.vetoes], [i.code for i in p.indicators]] for p in result.pending],
    }
    rows = [[i.category, i.code, i.title, i.points, i.awarded, i.measured, i.target, i.reason] for i in result.indicators]
    return payload, json.dumps(rows, ensure_ascii=False)


def load(spec, village, code, name, data, indicators):
    """The VillageResult stored as (payload, indicator rows): the rows are parsed when first read."""
    vetoes = {v.code: v for v in spec.vetoes}
    by_code = {i.code: i for i in spec.indicators()} if data["pending"] else {}
    return VillageResult(
        village, code, name, data["total"], data["status"], band=data["band"],
        vetoes=[VetoHit(c, t, [_incident_back(x) for x in xs]) for c, t, xs in data["vetoes"]],
        undetermined=list(data["undetermined"]),
        pending=[PendingIncident(_incident_back(x), [vetoes[c] for c in vs], [by_code[c] for c in cs]) for x, vs, cs in data["pending"]],
        stored=lambda: [IndicatorResult(*row) for row in json.loads(indicators)],
    )


# -- reading and storing ---------------------------------------------------------------------------

def reused(scheme, variant, rows):
    """(stamp, {village id: VillageResult} of the stored results still valid) for rows [(id, code,
    name)]. A stored result is valid while the generation and its village's generation are those it
    was computed at, compared in the same query. The stamp is what the villages not found are to be
    stored with: the current generation (that of the results found, else read) and their villages'
    generations, read here, before their facts are."""
    from .models import VillageGeneration

    names = {village: (code, name) for village, code, name in rows}
    few = len(rows) <= 500
    if few:  # a few villages: read at once (on PostgreSQL a streamed read costs three more round trips), the SQL made once
        found = compiled.rows(_stored, scheme.pk, variant, *names) if names else []
    else:  # a county or more: streamed, not all held in memory at once
        found = _stored(None, scheme.pk, variant).iterator(chunk_size=2000)
    out, n = {}, None
    spec = scheme.spec
    for village, n, payload, indicators in found:
        if village in names:
            out[village] = load(spec, village, *names[village], payload, indicators)
    if len(out) == len(names):
        return (n, {}), out
    n = generation() if n is None else n
    missing = [v for v in names if v not in out]
    generations = VillageGeneration.objects.values_list("village", "n")
    generations = dict(generations.filter(village__in=missing) if few else generations.iterator(chunk_size=5000))
    return (None if n is None else (n, generations)), out


def _stored(user, scheme, variant, *villages):
    """The stored results of the scheme and variant that are still valid (of these villages, if any)."""
    from .models import CachedResult, ResultGeneration, VillageGeneration

    current = ResultGeneration.objects.filter(pk=1).values("n")[:1]
    own = Coalesce(Subquery(VillageGeneration.objects.filter(village=OuterRef("village_id")).values("n")[:1]), Value(0))
    found = CachedResult.objects.filter(scheme=scheme, variant=variant, generation=Subquery(current), village_n=own, day=today())
    found = found.filter(village__in=villages) if villages else found
    return found.values_list("village", "generation", "payload", "indicators")


def store(scheme, variant, results, stamp):
    from .models import CachedResult

    if stamp is None or not results:
        return
    day, (n, generations) = today(), stamp
    rows = [CachedResult(scheme=scheme, variant=variant, village_id=r.village, generation=n, village_n=generations.get(r.village, 0),
                         day=day, payload=payload, indicators=text)
            for r in results for payload, text in [dump(r)]]
    try:
        with transaction.atomic():
            CachedResult.objects.bulk_create(
                rows, batch_size=500, update_conflicts=True, unique_fields=["scheme", "variant", "village"],
                update_fields=["generation", "village_n", "day", "payload", "indicators"],
            )
    except DatabaseError:  # storing is only a saving: a busy database (SQLite's lock) must not fail the page
        logger.warning("evaluation results not stored (database busy)", exc_info=True)


# -- the stored pages' version (core/pages.py) ------------------------------------------------------

def page_version(user):
    """What every page `user` may see is drawn from, as a value that moves whenever any of it may have
    changed (core/pages.py keys the user's stored pages by it): the generation of all and the sum of the
    generations of the villages of the user's county (of the whole division for a city or the
    province). Generations only grow, so the sum moves with any one of them. A county, not the user's
    own division: a town's pages show its villages' ranks in a county's evaluation round. (The county's
    path, the generation, the sum), or None when the generation's row is missing (nothing is stored
    then). One query, made once per process and user (core/compiled.py); once per process and division,
    one for the county's path."""
    county = _county_path(user.division.path, user.division.level)  # here: a build may not read the database
    found = compiled.rows(_generations, user=user)
    return (county, *found[0]) if found else None


def _generations(user):
    """page_version()'s query: the generation of all and the sum of the user's county's villages'."""
    from django.db.models import F, Func, IntegerField

    from safestar.core.scope import Under
    from safestar.org.models import Division

    from .models import ResultGeneration, VillageGeneration

    under = Division.objects.filter(Under(F("path"), _county_path(user.division.path, user.division.level))).values("pk")
    total = (VillageGeneration.objects.filter(village__in=under).order_by()
             .annotate(total=Func(F("n"), function="SUM", output_field=IntegerField())).values("total"))
    return ResultGeneration.objects.filter(pk=1).values_list("n", Coalesce(Subquery(total), Value(0)))


@lru_cache(maxsize=4096)
def _county_path(path, level):
    """The path of the county `path` lies in (itself at a county or above; the whole province when no
    county is found above it), read once per process: a division's path changes with its place."""
    from safestar.org.models import Division
    from safestar.org.roles import LEVEL_ORDER, Level

    if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(Level.COUNTY):
        return path
    codes = path.strip("/").split("/")
    county = Division.objects.filter(code__in=codes, level=Level.COUNTY).values_list("path", flat=True).first()
    return county or f"/{codes[0]}/"

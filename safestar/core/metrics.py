"""Named metrics: the numbers ledgers give the scoring engine, one set-based query per metric.

A ledger app's metrics.py declares each metric with @metric. `compute(year, villages)` gets the
year and a queryset of villages (the scope of the evaluation) and returns {village id: value} in
ONE query whatever the number of villages; a village without records is simply absent: the engine
reads that as 0, unless the metric says `absent_as_zero=False` (a rate of nothing is no data).
docs/schemes.md lists every metric with its meaning and unit.

As of the year's end: a metric describes the village on `year_end(year)` (31 December, or today
while the year runs). Events count by their own date in the year; states count the records that had
begun by that day (their own start date: 入队日期, 安装日期 …) with their tracked fields as they stood
that day (core/states.py). No metric reads when a record was entered (created_at) or its present state.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

from django.db import connection
from django.db.models import Count

from safestar.clock import today

from . import compiled
from .states import as_of

METRICS = {}


@dataclass(frozen=True)
class Metric:
    name: str  # "security.camera_channels"
    label: str  # "在用监控探头路数"
    unit: str  # "路"
    compute: Callable  # (year: int, villages: QuerySet[Division]) -> dict[int, number]
    description: str = ""
    absent_as_zero: bool = True  # a village missing from the result has 0; False: it has no data (rates)


def metric(name, label, unit, description="", absent_as_zero=True):
    def register(compute):
        if name in METRICS:
            raise ValueError(f"metric {name} registered twice")
        text = description or (compute.__doc__ or "").strip()
        METRICS[name] = Metric(name, label, unit, compute, text, absent_as_zero)
        return compute

    return register


# ── Registers that may be empty (零报告) ──────────────────────────────────────────────────────────
# An "absence" indicator (无超期纠纷, 无信访积案, 无逾期隐患 …) is met only on evidence: the village's
# register has records for the year, or the village (or its town) filed a nil return (零报告,
# nilreturns.NilReturn) saying it had none. A ledger app declares its registers with @kept; the
# scheme names one per indicator (`evidence:`), and facts.py asks for the villages with evidence.

REGISTERS = {}  # name → Register


@dataclass(frozen=True)
class Register:
    name: str  # "disputes": the same value as nilreturns.models.NilRegister
    label: str  # "矛盾纠纷": the nil return reads "本年度无矛盾纠纷"
    compute: Callable  # (year, villages) -> {village id: records for the year}, ONE grouped query
    description: str = ""


def kept(name, label, description=""):
    """Declare the register `name`: compute(year, villages) counts each village's records that
    concern the year (per_village); a village without any is absent: its register is empty."""

    def declare(compute):
        if name in REGISTERS:
            raise ValueError(f"register {name} declared twice")
        REGISTERS[name] = Register(name, label, compute, description or (compute.__doc__ or "").strip())
        return compute

    return declare


def compute(name, year, villages):
    return METRICS[name].compute(year, villages)


def year_end(year):
    """The day a year's metrics read the state on: 31 December, or today while the year runs."""
    return min(datetime.date(year, 12, 31), today())


def records_in(model, villages):
    """The ledger records of `villages` that are not deleted."""
    return model.objects.alive().filter(division__in=villages)


def standing(model, villages, day, since, *tracked):
    """The state records of `villages` that had begun by `day` (their `since` date), annotated with
    their tracked fields as of `day` (`asof_<field>`)."""
    return as_of(records_in(model, villages).filter(**{f"{since}__lte": day}), day, *tracked)


def per_village(queryset, aggregate=None, field="division"):
    """{village id: value} from ONE "GROUP BY village" query; the value is the number of records
    unless another aggregate (Sum(...), ...) is given. Villages without records are absent. `field`:
    the records' village (a ledger's `division`; "village" for the creation's records).
    Inside `batched()`, a count is not read at once: every count asked for in the block is read by ONE
    query (their GROUP BY queries joined by UNION ALL) when the first of them is looked at."""
    rows = queryset.order_by().values(field).annotate(value=aggregate or Count("id"))
    batch = _BATCH.get()
    if batch is not None and aggregate is None:
        return _Pending(batch, lambda: compiled.sql_of(rows.values_list(field, "value")))
    return dict(rows.values_list(field, "value"))


def counted(build, *args, user, field="division"):
    """per_village(build(user, *args), field=field) for a page: the query's SQL is made once per process
    (core/compiled.py; `build` a function of the user and int, text or date arguments only, reading nothing
    else). Inside batched() it is read with the batch's other counts, like per_village()."""
    grouped = _Grouped(build, field)
    batch = _BATCH.get()
    if batch is not None:
        return _Pending(batch, lambda: compiled.sql(grouped, *args, user=user))
    return dict(compiled.rows(grouped, *args, user=user))


@dataclass(frozen=True)
class _Grouped:
    """build(user, *args) counted per village (the key of its kept statement: the build and the field)."""

    build: Callable
    field: str

    def __call__(self, user, *args):
        rows = self.build(user, *args).order_by().values(self.field).annotate(value=Count("id"))
        return rows.values_list(self.field, "value")


_BATCH = contextvars.ContextVar("metrics_batch", default=None)


@contextlib.contextmanager
def batched():
    """Read the counts that per_village() and counted() are asked for in this block together, in one
    query (for a page showing several count metrics of one village: its cost does not grow with the
    metrics). A block inside another joins it: its counts are read with the outer block's."""
    if _BATCH.get() is not None:
        yield
        return
    token = _BATCH.set([])
    try:
        yield
    finally:
        _BATCH.reset(token)


class _Pending(Mapping):
    """A per_village() count not read yet: {village id: value} once any count of its batch is looked at.
    `statement()`: its grouped query's (SQL, parameters), two columns (village, number); None when it
    can find no row (a scope the user has none of)."""

    def __init__(self, batch, statement):
        self.statement, self.batch, self.values = statement, batch, None
        batch.append(self)

    def _read(self):
        if self.values is None:
            pending = [p for p in self.batch if p.values is None]
            self.batch[:] = [p for p in self.batch if p.values is not None]
            parts = [(tag, p.statement()) for tag, p in enumerate(pending)]
            parts = [(tag, statement) for tag, statement in parts if statement is not None]
            for p in pending:
                p.values = {}
            if not parts:
                return self.values
            # each count tagged with its place; no ORDER BY (a compound SELECT takes none per part)
            sql = " UNION ALL ".join(f"SELECT {tag} AS tag, * FROM ({part}) AS count{tag}" for tag, (part, _) in parts)
            with connection.cursor() as cursor:
                cursor.execute(sql, [value for _, (_, params) in parts for value in params])
                for tag, division, value in cursor.fetchall():  # PostgreSQL: numeric where a part has a year
                    pending[tag].values[division if division is None else int(division)] = int(value)
        return self.values

    def __getitem__(self, key):
        return self._read()[key]

    def __iter__(self):
        return iter(self._read())

    def __len__(self):
        return len(self._read())


class Counts(Mapping):
    """{name: number} of ONE village, from per_village() counts (absent: 0), for a page to show. Inside
    batched() nothing is read until a number is looked at (its template), and then every count of the
    batch not read yet comes with it in the one query: the village page reads the counts of all its
    panels together (core/panels.py render_panels)."""

    def __init__(self, village, **counts):
        self.village, self.counts = village, counts

    def __getitem__(self, name):
        return self.counts[name].get(self.village, 0)

    def __iter__(self):
        return iter(self.counts)

    def __len__(self):
        return len(self.counts)

"""Timing an evaluation against the bare SQL aggregates it needs (`safestar bench evaluate`), in one
run and on the same villages queryset:

- bare: exactly the queries facts.gather() issues, i.e. its query plan (facts.plan()), each query
  run and its rows fetched, and nothing else;
- full: schemes.services.results(scheme, villages), i.e. the village list, gather(), the manual
  scores, the engine and ranking;

and the medians, their ratio, the number of queries of each, whether the bare queries are the very
SQL gather() issues, and (for reference) the same SQL run straight on a DB cursor.

Speed is measured here only; tests run this at a tiny scale and never assert on timings.
"""

import gc
import os
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safestar.schemes import services
from safestar.schemes.facts import gather, plan

from .generate import BenchError, database_label

TARGET = 1.5  # full evaluation within 1.5× the bare aggregates


def bare_aggregates(spec, year, villages):
    """Exactly the queries facts.gather() issues (its query plan, facts.plan()), results fetched, and
    nothing else: no Facts, no village list, no engine."""
    return [fetch() for fetch, _ in plan(spec, year, villages)]


class _Clock:
    """Wall time, and CPU time of this process plus, on a PostgreSQL server on this machine, of our
    server backend: on a busy machine the CPU time is the steadier measure (SQLite runs in-process)."""

    def __init__(self):
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                path = Path(f"/proc/{cursor.fetchone()[0]}/stat")
            if path.exists():  # the server runs here (else only this process's CPU is counted)
                self.backend = path
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu(self):
        seconds = time.process_time()
        if self.backend is not None:
            try:
                fields = self.backend.read_text().rsplit(")", 1)[1].split()
                seconds += (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return seconds


def _timed(clock, function):
    """(wall seconds, CPU seconds, the SQL issued) of one call; the result is dropped untimed."""
    gc.collect()  # each run starts from the same heap, untimed
    with CaptureQueriesContext(connection) as queries:
        cpu, start = clock.cpu(), time.perf_counter()
        result = function()
        seconds, cpu = time.perf_counter() - start, clock.cpu() - cpu
    del result
    return seconds, cpu, [q["sql"] for q in queries.captured_queries]


def _raw(sqls):
    """The same SQL straight on a DB cursor, every row fetched: the database's share of the work."""
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql)
            cursor.fetchall()


@contextmanager
def _steps(module, names, spent):
    """Time the functions results() calls by the names it looks them up by in its module, so that
    the breakdown follows services.results() as it is, without copying it."""
    saved = {name: getattr(module, name) for name in names if callable(getattr(module, name, None))}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0) + time.perf_counter() - start

        return wrapper

    for name, function in saved.items():
        setattr(module, name, timed(name, function))
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(module, name, function)


@dataclass
class Timing:
    villages: int
    repeat: int
    bare: list
    full: list
    raw: list
    bare_cpu: list
    full_cpu: list
    bare_queries: int
    full_queries: int
    same_sql: bool
    breakdown: dict
    database: str
    vendor: str
    load: tuple

    @property
    def bare_median(self):
        return statistics.median(self.bare)

    @property
    def full_median(self):
        return statistics.median(self.full)

    @property
    def raw_median(self):
        return statistics.median(self.raw)

    @property
    def ratio(self):
        return self.full_median / self.bare_median if self.bare_median else float("inf")

    @property
    def min_ratio(self):
        """The fastest run of each: on a busy machine the least disturbed, so the steadier comparison."""
        return min(self.full) / min(self.bare) if min(self.bare) else float("inf")

    @property
    def cpu_ratio(self):
        bare = statistics.median(self.bare_cpu)
        return statistics.median(self.full_cpu) / bare if bare else float("inf")

    @property
    def target_met(self):
        return self.ratio <= TARGET

    def as_json(self):
        r = lambda x: round(x, 4)  # noqa: E731
        return {
            "database": self.vendor, "database_label": self.database, "villages": self.villages, "repeat": self.repeat,
            "bare_median_s": r(self.bare_median), "full_median_s": r(self.full_median), "ratio": round(self.ratio, 3),
            "bare_min_s": r(min(self.bare)), "full_min_s": r(min(self.full)), "min_ratio": round(self.min_ratio, 3),
            "target": TARGET, "target_met": self.target_met, "bare_queries": self.bare_queries,
            "full_queries": self.full_queries, "same_sql_as_gather": self.same_sql,
            "bare_cpu_median_s": r(statistics.median(self.bare_cpu)), "full_cpu_median_s": r(statistics.median(self.full_cpu)),
            "cpu_ratio": round(self.cpu_ratio, 3), "raw_sql_median_s": r(self.raw_median),
            "bare_runs_s": [r(x) for x in self.bare], "full_runs_s": [r(x) for x in self.full],
            "raw_runs_s": [r(x) for x in self.raw], "breakdown_s": {k: r(v) for k, v in self.breakdown.items()},
            "loadavg": [round(x, 2) for x in self.load],
        }


REPEAT = 7  # 3 repeats gave 1.46× and then 1.17× a minute apart on a loaded machine


def run_evaluation(scheme, villages, repeat=REPEAT, warmup=True):
    """Time the bare aggregates and the full evaluation on the same villages queryset."""
    if repeat < 1:
        raise BenchError("--repeat 至少为 1")
    spec, year = scheme.spec, scheme.year
    count = villages.count()
    if not count:
        raise BenchError("所选区划下没有村：请先运行 safestar bench generate")
    clock = _Clock()

    def bare():
        return bare_aggregates(spec, year, villages)

    def full():
        # manual={}: computed afresh every time, never the stored results (schemes/cache.py) — the
        # benchmark times the evaluation itself; few=0: through gather()'s plan over the villages, as bare
        return services.results(scheme, villages, manual={}, few=0)

    *_, gather_sql = _timed(clock, lambda: gather(spec, year, villages))
    if warmup:  # the first pass pays for cold caches (pages, the query planner, Python imports)
        _timed(clock, bare)
        _timed(clock, full)
    bare_runs, full_runs, raw_runs, bare_cpu, full_cpu = [], [], [], [], []
    bare_sql = full_sql = []
    for _ in range(repeat):  # interleaved, so that a change of load on the machine hits both alike
        seconds, cpu, bare_sql = _timed(clock, bare)
        bare_runs.append(seconds)
        bare_cpu.append(cpu)
        seconds, cpu, full_sql = _timed(clock, full)
        full_runs.append(seconds)
        full_cpu.append(cpu)
        seconds, *_ = _timed(clock, lambda: _raw(bare_sql))
        raw_runs.append(seconds)

    # One more run of results(), its steps timed, to show where the full evaluation's time goes.
    spent = {}
    with _steps(services, ("gather", "manual_scores", "evaluate", "rank"), spent):
        seconds, *_ = _timed(clock, full)
    breakdown = {"合计": seconds, **spent, "其他（村列表等）": seconds - sum(spent.values())}

    return Timing(
        villages=count, repeat=repeat, bare=bare_runs, full=full_runs, raw=raw_runs, bare_cpu=bare_cpu,
        full_cpu=full_cpu, bare_queries=len(bare_sql), full_queries=len(full_sql),
        same_sql=sorted(bare_sql) == sorted(gather_sql), breakdown=breakdown, database=database_label(),
        vendor=connection.vendor, load=os.getloadavg(),
    )


def run_dashboard(compute, user, division, year, repeat=3):
    """Time the dashboard's computation (dashboards.board.compute) for `division`: median of `repeat`
    runs after one warm-up, with its number of SQL queries."""
    compute(user, division, year)  # warm-up
    runs = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            data = compute(user, division, year)
            runs.append(time.perf_counter() - start)
    return {"division": division.code, "year": year, "villages": data["villages"], "rows": len(data["rows"]),
            "median_s": round(statistics.median(runs), 3), "runs_s": [round(x, 3) for x in runs],
            "queries": len(captured), "load": list(os.getloadavg())}

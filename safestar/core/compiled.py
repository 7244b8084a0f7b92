"""Queries whose SQL is made once per process.

Drawing a village page spent most of its CPU in Django building and compiling its twenty queries:
their execution was about 2 of 110 ms. `rows(build, *args, user=user)` is `list(build(user, *args))`,
except that the ORM builds and compiles the query once per process (and per user scope and day);
later calls only put the new values into the kept SQL and run it.

Why the result is the same as the ORM's:
- `build(user, *args)` is called twice, with two different sets of stand-in values of the arguments'
  types (int, str or datetime.date, nothing else). The statement is kept only when both give the same SQL
  and their parameters differ exactly where a stand-in went; those places get the real values. A
  query whose shape depends on a value (a date computed from the day, an empty list, a branch on the
  value) is not kept and runs through the ORM every time, as before.
- A build may not read the database (a query during either build: not kept) and reads the user only
  as far as `scope_key(user)` says, which is part of the key, like today's date and the build.
- The rows come from Django's own compiler of the first build (its converters, model instances and
  annotations); it is only given the kept SQL and the new parameters.

`stats` counts what happened (kept, refused, run, orm), for tests. Not to be confused with PostgreSQL's
prepared statements (settings.py `prepare_threshold`), which save the server's planning, not Django's
building; both apply.
"""

import copy
import datetime
import threading
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection as default_connection
from django.db import connections

from safestar.clock import today

from .scope import scope_key

MAX_KEPT = 2000  # statements per process; past it they are all forgotten and made again
MAX_ARGS = 500  # arguments of a kept statement (their stand-ins must differ); more: the ORM's every time


KINDS = (int, str, datetime.date)


def _stand_ins(kind, k):
    """Two values of `kind` for the k-th argument (k < MAX_ARGS), unlike any real code, year or day: one
    below and one above the thresholds a build might compare an argument with (a year, this year, a
    cap), and in opposite orders between arguments, so that a build that branches on a value or clamps
    it gives two different statements and is not kept. A text holds the characters a LIKE pattern
    escapes (% _ \\): a query that changes its argument (escaping, case, a prefix) is not kept either."""
    if kind is int:  # positive, and small enough for a small-integer column
        return 13 + 2 * k, 31013 + 2 * (MAX_ARGS - k)
    if kind is str:
        return f"%_\\'\u2063{k:03d}a", f"_%\\\u2063{MAX_ARGS - k:03d}bb"
    return datetime.date(1903, 2, 5) + datetime.timedelta(days=k), datetime.date(2091, 10, 27) - datetime.timedelta(days=k)


class _NotKept(Exception):
    pass


class _NoQueries:
    """An execute wrapper that refuses any statement (a build must not read the database)."""

    def __call__(self, execute, sql, params, many, context):
        raise _NotKept(sql)


@dataclass(frozen=True)
class _Statement:
    queryset: object  # the first build's, never run itself
    compiler: object  # its compiler, after as_sql(): selects, converters, model information
    alias: str
    sql: str
    params: tuple  # the first build's, the stand-ins replaced at each run
    slots: tuple  # (place in params, argument index, adapt(value) -> parameter, bound of an integer or None)

    def fits(self, args):
        """Whether every integer argument fits its column, as the ORM checks (outside it, the ORM finds
        no row, or every row, without asking the database)."""
        return all(bound is None or -bound < args[k] < bound for _, k, _, bound in self.slots)

    def values(self, args):
        """The parameters with the arguments in their places."""
        params = list(self.params)
        for place, k, adapt, _ in self.slots:
            params[place] = adapt(args[k])
        return tuple(params)

    def run(self, args):
        sql, params = self.sql, self.values(args)
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.alias]
        compiler.as_sql = lambda *a, **kw: (sql, params)
        queryset = self.queryset._chain()
        queryset.query.get_compiler = lambda *a, **kw: compiler
        return list(queryset)


_kept = {}
_lock = threading.Lock()
stats = Counter()


def rows(build, *args, user=None):
    """list(build(user, *args)), its SQL made once per process when its shape does not depend on the
    values (module docstring). `args`: ints, texts and dates only."""
    statement = _statement(build, args, user)
    if not statement:
        return list(build(user, *args))
    return statement.run(args)


def sql(build, *args, user=None):
    """(SQL, parameters) of build(user, *args): the kept statement's, or the ORM's made now; None when
    the query can find no row (a scope the user has none of). For a statement run inside another
    (metrics.batched() joins the village page's counts)."""
    statement = _statement(build, args, user)
    if not statement:
        return sql_of(build(user, *args))
    return statement.sql, statement.values(args)


def sql_of(queryset):
    """(SQL, parameters) of a queryset, or None when it can find no row."""
    try:
        return queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return None


def _statement(build, args, user):
    kinds = tuple(type(value) for value in args)
    if any(kind not in KINDS for kind in kinds):
        raise TypeError(f"compiled: only int, str and date arguments, not {kinds}")
    if len(args) > MAX_ARGS:
        return False
    day = today()
    key = (build, kinds, None if user is None else ("user", scope_key(user)), day)
    statement = _kept.get(key)
    if statement is None:
        statement = _prepare(build, kinds, user)
        stats["kept" if statement else "refused"] += 1
        if today() == day:  # not across midnight: the build may have read the next day
            with _lock:
                if len(_kept) >= MAX_KEPT:
                    _kept.clear()
                _kept[key] = statement
    statement = statement and statement.fits(args) and statement
    stats["run" if statement else "orm"] += 1
    return statement


def forget():
    """Forget every kept statement (tests: settings and data change between them)."""
    with _lock:
        _kept.clear()
    stats.clear()


def _adapters(value, param, connection):
    """How a value may appear among a query's parameters: as it is, as the database takes a date
    (SQLite: its ISO text), or in the driver's integer type of its column (psycopg: Int4, Int2)."""
    yield lambda v: v
    if isinstance(value, datetime.date):
        yield connection.ops.adapt_datefield_value
    if isinstance(value, int) and isinstance(param, int) and type(param) not in (int, bool):
        yield type(param)


def _prepare(build, kinds, user):
    """The _Statement of build(user, ...) for arguments of these kinds, or False (not kept)."""
    firsts, seconds = zip(*(_stand_ins(kind, k) for k, kind in enumerate(kinds))) if kinds else ((), ())
    try:
        built = []
        for values in (firsts, seconds):
            with default_connection.execute_wrapper(_NoQueries()):
                queryset = build(user, *values)
                connection = connections[queryset.db]
                compiler = queryset.query.get_compiler(using=queryset.db)
                sql, params = compiler.as_sql()
            built.append((queryset, compiler, sql, tuple(params)))
    except Exception:  # noqa: BLE001 — it read the database (_NotKept), can find no row, …: the ORM answers every time
        return False
    (queryset, compiler, sql, params), (_, _, sql2, params2) = built
    if sql != sql2 or len(params) != len(params2):
        return False
    slots = []
    for place, (one, two) in enumerate(zip(params, params2)):
        if one == two and type(one) is type(two):
            if any(one == v or one == str(v) for v in firsts + seconds):
                return False  # a stand-in that both builds share: not where an argument goes
            continue
        found = [next(((k, adapt) for adapt in _adapters(a, one, connection) if _same(adapt(a), one) and _same(adapt(b), two)), None)
                 for k, (a, b) in enumerate(zip(firsts, seconds))]
        found = [f for f in found if f is not None]
        if len(found) != 1:
            return False  # a value computed from an argument (a day minus a year) or two arguments alike
        k, adapt = found[0]
        bound = None if kinds[k] is not int else _BOUNDS.get(getattr(adapt, "__name__", ""), 1 << 31)
        slots.append((place, k, adapt, bound))
    return _Statement(queryset, compiler, queryset.db, sql, params, tuple(slots))


_BOUNDS = {"Int2": 1 << 15, "Int8": 1 << 63}  # psycopg's integer types; other integers: a 32-bit column's


def _same(a, b):
    return type(a) is type(b) and a == b

"""Which villages an SQL write touches (cache.py): only their stored results become stale, the other
villages' stay valid. Attribution is made only where it is certain; in every other case `villages()`
returns None and cache.py makes every stored result stale, as it did for every write before.

Where a row belongs (sources(), read once from the models):
- its foreign keys to a division named `division` or `village` (a ledger record, the creation's
  records, an evaluation entry, an event), and, one step on, those of the rows it points to (a visit's
  person, an evaluation line's entry, an incident link's incident and person), except through
  accounts and departments (who entered a record says nothing of where it belongs). Keys named
  `issuer`, `area`, `town` or `parent` (where a scheme, a round, a campaign was issued; a division's
  own row) are not where a row belongs: a table with only those is not attributable;
- a state change (core_statechange) belongs where its record (record_type, record_id) belongs.
A table is attributable only when at least one of these can never be empty (not null all the way),
so that every row belongs somewhere. A division at village level is that village, a grid is its
village; any other level (a town's nil return, a county department) is not attributable: everything
goes stale.

The statements read: Django's INSERT [OR IGNORE] … VALUES (%s, …), … (and PostgreSQL's INSERT … SELECT *
FROM UNNEST(…)), UPDATE … SET … WHERE …, DELETE FROM … WHERE …. The rows an UPDATE or DELETE touches
are found by its own WHERE, before it runs and after cache.py has taken the generation row's lock, so
no other writer can commit in between; an UPDATE that sets a column a row belongs by (a model's save
sets them all) adds where the rows go, when the new value is a plain parameter. A statement of
another shape, or executemany: not attributable.
"""

import re
from functools import cache

from django.apps import apps

BELONGS = ("division", "village")
NOT_THROUGH = {"org.User", "org.Department"}
GENERIC = {"core_statechange": ("record_type", "record_id")}
AT_VILLAGE, AT_GRID = "village", "grid"

INSERT = re.compile(r'^\s*INSERT\s+(?:OR\s+IGNORE\s+)?INTO\s+"?(\w+)"?\s*\(([^()]*)\)\s*(VALUES|SELECT\s+\*\s+FROM\s+UNNEST)\s*(.*)$', re.I | re.S)
ROW = re.compile(r"\(\s*%s(?:\s*,\s*%s)*\s*\)")
TAIL = re.compile(r"^\s*(?:RETURNING\b.*|ON\s+CONFLICT\b.*)?$", re.I | re.S)
UPDATE = re.compile(r'^\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*)$', re.I | re.S)
DELETE = re.compile(r'^\s*DELETE\s+FROM\s+"?(\w+)"?\s+WHERE\s+(.*)$', re.I | re.S)
PLACEHOLDER = re.compile(r"%%|%s")


class Source:
    """A way to the division a row belongs to: `column` of the row itself (through=None), or `column`
    pointing at a row of `through` (its primary key `key`) whose `division` column is the division."""

    def __init__(self, column, nullable, through=None, key=None, division=None):
        self.column, self.nullable, self.through, self.key, self.division = column, nullable, through, key, division

    def divisions_of(self, table, pk, rows):
        """SQL for the division ids of the rows of `table` that the subquery `rows` selects."""
        return self.values(f'SELECT "{self.column}" FROM "{table}" WHERE "{pk}" IN ({rows})')

    def values(self, column_values):
        """SQL for the division ids given this source's column values (SQL)."""
        if self.through is None:
            return column_values
        return f'SELECT "{self.division}" FROM "{self.through}" WHERE "{self.key}" IN ({column_values})'


def _direct(model, division_model):
    """The foreign keys by which a row of `model` belongs to a division: named `division` or `village`
    (not `issuer`, `area`, `town`, `parent`: where a scheme, a round, a campaign was issued)."""
    return [f for f in model._meta.concrete_fields if f.many_to_one and f.related_model is division_model and f.name in BELONGS]


@cache
def sources():
    """{table: (primary key column, [Source])} for every attributable table."""
    division = apps.get_model("org", "Division")
    out = {}
    for model in apps.get_models(include_auto_created=True):
        if model is division:
            continue
        found = [Source(f.column, f.null) for f in _direct(model, division)]
        for f in model._meta.concrete_fields:
            target = f.related_model if f.many_to_one else None
            if target is None or target is division or target._meta.label in NOT_THROUGH:
                continue
            found += [Source(f.column, f.null or d.null, target._meta.db_table, target._meta.pk.column, d.column) for d in _direct(target, division)]
        if any(not s.nullable for s in found):
            out[model._meta.db_table] = (model._meta.pk.column, found)
    return out


def _placeholders(text):
    return sum(1 for p in PLACEHOLDER.findall(text) if p == "%s")


def _top_level(text):
    """The indexes of `text` outside parentheses and quotes."""
    depth, quote = 0, None
    for i, c in enumerate(text):
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0:
            yield i


def _keyword(text, word):
    """The index of the first `word` (a keyword) outside parentheses and quotes in `text`, or -1."""
    n = len(word)
    for i in _top_level(text):
        if text[i:i + n].upper() == word and not text[i - 1:i].isalnum() and not text[i + n:i + n + 1].isalnum():
            return i
    return -1


def _assignments(text):
    """[(column, value SQL)] of an UPDATE's SET list."""
    cuts = [-1, *(i for i in _top_level(text) if text[i] == ","), len(text)]
    parts = [text[a + 1:b].partition("=") for a, b in zip(cuts, cuts[1:])]
    return [(column.strip().strip('"').lower(), value.strip()) for column, _, value in parts]


def _divisions(cursor, selects, params):
    """The villages of the divisions that the SQL `selects` (each giving division ids) find, or None
    when one of them is not a village or a grid."""
    if not selects:
        return set()
    cursor.execute("SELECT id, level, parent_id FROM org_division WHERE " + " OR ".join(f"id IN ({s})" for s in selects), params)
    villages = set()
    for pk, level, parent in cursor.fetchall():
        if level == AT_VILLAGE:
            villages.add(pk)
        elif level == AT_GRID and parent is not None:
            villages.add(parent)
        else:
            return None
    return villages


def _of_rows(table, rows_sql, rows_params):
    """(selects, params) for the divisions of the rows of `table` that `rows_sql` selects (their keys)."""
    pk, found = sources()[table]
    return [s.divisions_of(table, pk, rows_sql) for s in found], list(rows_params) * len(found)


def _inserted(cursor, table, sql, params):
    match = INSERT.match(sql)
    if not match or match.group(1).lower() != table:
        return None
    columns = [c.strip().strip('"').lower() for c in match.group(2).split(",")]
    form, rest = match.group(3).upper(), match.group(4)
    if form == "VALUES":
        rows = ROW.findall(rest)
        if not rows or not TAIL.match(ROW.sub("", rest).replace(",", " ")) or any(_placeholders(r) != len(columns) for r in rows):
            return None
        if _placeholders(sql) != len(params):
            return None
        column = {name: params[i::len(columns)] for i, name in enumerate(columns)}
    else:  # UNNEST: one array per column
        if len(params) != len(columns) or not all(isinstance(p, (list, tuple)) for p in params):
            return None
        column = dict(zip(columns, params))
    if table in GENERIC:
        type_column, id_column = GENERIC[table]
        if type_column not in column or id_column not in column:
            return None
        records = {}
        for record_type, record_id in zip(column[type_column], column[id_column]):
            records.setdefault(record_type, set()).add(record_id)
        villages = set()
        for record_type, ids in records.items():
            try:
                model = apps.get_model(record_type)
            except (LookupError, ValueError):
                return None
            if model._meta.db_table not in sources():
                return None
            found = _divisions(cursor, *_of_rows(model._meta.db_table, ", ".join(["%s"] * len(ids)), sorted(ids)))
            if found is None:
                return None
            villages |= found
        return villages
    _, found = sources()[table]
    selects, values = [], []
    for s in found:
        if s.column not in column:
            if not s.nullable:
                return None  # a column every row has is not given: a shape this does not know
            continue
        given = list(dict.fromkeys(v for v in column[s.column] if v is not None))
        if given:
            selects.append(s.values(", ".join(["%s"] * len(given))))
            values += given
    return _divisions(cursor, selects, values)


def villages(cursor, table, sql, params, many):
    """The ids of the villages whose data the statement `sql` (which writes `table`) changes, or None
    when that is not certain. `cursor`: a raw cursor in the writing transaction."""
    if many or table not in sources() and table not in GENERIC or params is None or isinstance(params, dict):
        return None
    params = list(params)
    if sql.lstrip()[:6].upper() == "INSERT":
        return _inserted(cursor, table, sql, params)
    if table in GENERIC:
        return None
    pk, found = sources()[table]
    moved = []  # (SQL, its parameter): where the rows go, when an UPDATE sets a column they belong by
    if (match := UPDATE.match(sql)) is not None:
        body = match.group(2)
        where = _keyword(body, "WHERE")
        if where < 0 or _keyword(body[:where], "FROM") >= 0:  # every row, or rows found through other tables
            return None
        assignments, condition = body[:where], body[where + 5:]
        position = 0
        for column, value in _assignments(assignments):
            for source in (s for s in found if s.column == column):
                if value != "%s":
                    return None
                if params[position] is not None:
                    moved.append((source.values("%s"), params[position]))
            position += _placeholders(value)
    elif (match := DELETE.match(sql)) is not None:
        assignments, condition = "", match.group(2)
    else:
        return None
    skip = _placeholders(assignments)
    if match.group(1).lower() != table or skip + _placeholders(condition) != len(params):
        return None
    selects, values = _of_rows(table, f'SELECT "{pk}" FROM "{table}" WHERE {condition}', params[skip:])
    return _divisions(cursor, selects + [select for select, _ in moved], values + [value for _, value in moved])

"""Rows inserted in bulk with their values prepared ahead: what `bulk_create` does, split in two so that
the costly part (each field's pre_save and conversion to the database's value, per row and field)
runs before the write transaction and only the INSERT runs inside it (SQLite has one writer at a time:
others wait for as long as a write transaction lasts). Used by the staged import (core/ledger_ops.py)
and the audit log's batches (audit/log.py record_many).
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def fields_of(model):
    """The columns an insert writes: every concrete field but an auto primary key (as bulk_create)."""
    return [f for f in model._meta.concrete_fields if not (f.primary_key and f.db_returning)]


# Django's own fields whose database value, for a value of exactly this Python type, is that value
# itself on every backend (get_db_prep_save only checks it): no call needed.
SAME = {
    models.CharField: str, models.TextField: str, models.BooleanField: bool, models.IntegerField: int,
    models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int, models.SmallIntegerField: int,
    models.BigIntegerField: int, models.PositiveBigIntegerField: int,
}


def prepare(objs, fields):
    """Each object's values as the database takes them, computed like bulk_create does (pre_save for
    an addition, then get_db_prep_save): no query, no lock."""
    for f in fields:
        if getattr(f, "get_placeholder_sql", None) is not None or getattr(f, "get_placeholder", None) is not None:
            raise TypeError(f"{f} needs its own placeholder: insert it with bulk_create")
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: it looks the connection up on every use
    plain = [(f, SAME.get(type(f))) for f in fields]
    rows = []
    for obj in objs:
        row = []
        for f, same in plain:
            value = f.pre_save(obj, add=True)
            row.append(value if same is not None and type(value) is same else f.get_db_prep_save(value, db))
        rows.append(row)
    return rows


def insert(model, fields, rows, objs=None):
    """INSERT the prepared `rows` (one statement, or as few as the database's parameter limit allows)
    and return their new primary keys in order; `objs` (the objects they were prepared from) get them
    and count as saved, as after bulk_create."""
    if not rows:
        return []
    ops, pk = connection.ops, model._meta.pk
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, ops.bulk_batch_size(fields, rows))
    pks = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            cursor.execute(f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES "
                           + ", ".join([row_sql] * len(chunk)) + f" RETURNING {ops.quote_name(pk.column)}",
                           [value for row in chunk for value in row])
            pks.extend(pk.to_python(row[0]) for row in cursor.fetchall())
    if len(pks) != len(rows):
        raise RuntimeError(f"inserted {len(rows)} rows, {len(pks)} keys returned")
    for obj, value in zip(objs or (), pks):
        obj.pk = value
        obj._state.adding, obj._state.db = False, connection.alias
    return pks

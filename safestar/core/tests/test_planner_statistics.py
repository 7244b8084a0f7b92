"""The planner's statistics (core/tasks.py): on SQLite a ledger list reads one town's records through
their division, not the whole table through the index on `staged_import`; on PostgreSQL they are
refreshed when the server's autovacuum does not."""

import pytest
from django.db import connection

from conftest import PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record

from safestar.core.ledger import LEDGERS
from safestar.core.tasks import planner_statistics
from safestar.org.models import User


def test_the_daily_task_gives_sqlite_the_statistics_a_ledger_list_needs(world):
    from safestar.core.ledger_ops import filtered

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (PostgreSQL: the next test)")
    for code in (VILLAGE1, VILLAGE2, PINGGANG_VILLAGE):
        for _ in range(3):
            make_record("disputes", code)
    result = planner_statistics.call()
    assert result == {"refreshed": True}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'disputes_dispute'")
        assert cursor.fetchone()[0] > 0
    # without statistics SQLite reads the table through the index on staged_import, whatever its size
    records = filtered(LEDGERS["disputes"], User.objects.get(username="town"), {})
    sql, params = records.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "staged_import" not in plan, plan


def _autovacuum():
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "on"


def test_postgresql_statistics_are_refreshed_when_autovacuum_is_off(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    for _ in range(3):
        make_record("disputes", VILLAGE1)
    result = planner_statistics.call()
    assert result == {"refreshed": not _autovacuum()}
    if result["refreshed"]:  # the planner now counts the disputes just added (before: none, or those of an earlier ANALYZE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples, (SELECT COUNT(*) FROM disputes_dispute) FROM pg_class WHERE relname = 'disputes_dispute'")
            estimated, actual = cursor.fetchone()
        assert estimated == actual >= 3


@pytest.mark.django_db
def test_the_task_is_harmless_on_an_empty_database():
    refreshed = planner_statistics.call()["refreshed"]
    assert refreshed is (connection.vendor == "sqlite" or (connection.vendor == "postgresql" and not _autovacuum()))

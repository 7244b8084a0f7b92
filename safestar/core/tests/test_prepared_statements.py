"""PostgreSQL: a query a connection runs again and again is prepared on the server and planned once
(settings.py: server-side binding, psycopg's prepare_threshold), with the same rows as the first time."""

import pytest
from django.db import connection

from safestar.org.models import Division


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_query_run_repeatedly_is_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    Division.objects.create(code="419900000000", name="试验县", level="county", path="/419900000000/")
    query = lambda: list(Division.objects.filter(code__startswith="4199").values_list("name", flat=True))  # noqa: E731
    first = query()
    for _ in range(6):
        assert query() == first == ["试验县"]
    assert any('"org_division"."code"::text LIKE $1' in sql for sql in _prepared()), _prepared()

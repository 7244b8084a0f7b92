"""Which villages a write touches (written.py): certain answers for the statements Django writes,
None (every result stale) for every shape it does not know. The statements are read, not run."""

import pytest
from django.db import connection

from conftest import CHANGGANG, VILLAGE1, VILLAGE2, make_record
from safestar.org.models import Division
from safestar.schemes import cache, written


def villages(sql, params, many=False):
    with connection.cursor() as cursor:
        return written.villages(cursor.cursor, cache.writes(sql), sql, params, many)


@pytest.fixture
def places(world):
    village = Division.objects.get(code=VILLAGE1)
    grid = Division.objects.create(code=VILLAGE1 + "001", name="第一网格", level="grid", parent=village)
    return village.pk, Division.objects.get(code=VILLAGE2).pk, grid.pk, Division.objects.get(code=CHANGGANG).pk


def test_the_statements_django_writes_are_read_to_their_villages(places):
    v1, v2, grid, town = places
    insert = 'INSERT INTO "disputes_dispute" ("division_id", "summary") VALUES (%s, %s), (%s, %s) RETURNING "disputes_dispute"."id"'
    assert villages(insert, [v1, "甲", grid, "乙"]) == {v1}  # a grid is its village's
    assert villages(insert, [v1, "甲", v2, "乙"]) == {v1, v2}
    assert villages(insert, [v1, "甲", town, "乙"]) is None  # a town's record speaks for all its villages
    unnest = 'INSERT INTO "disputes_dispute" ("division_id", "summary") SELECT * FROM UNNEST((%s)::integer[], (%s)::text[])'
    assert villages(unnest, [[v1, v2], ["甲", "乙"]]) == {v1, v2}
    dispute = make_record("disputes", VILLAGE2)
    update = 'UPDATE "disputes_dispute" SET "summary" = %s WHERE ("disputes_dispute"."id" = %s AND "disputes_dispute"."summary" <> %s)'
    assert villages(update, ["改", dispute.pk, "（无）"]) == {v2}
    moved = 'UPDATE "disputes_dispute" SET "summary" = %s, "division_id" = %s WHERE "disputes_dispute"."id" = %s'
    assert villages(moved, ["改", v1, dispute.pk]) == {v1, v2}  # where it was and where it goes
    assert villages('DELETE FROM "disputes_dispute" WHERE "disputes_dispute"."id" IN (%s)', [dispute.pk]) == {v2}
    assert villages('DELETE FROM "disputes_dispute" WHERE "disputes_dispute"."id" IN (%s)', [-1]) == set()  # no row


@pytest.mark.parametrize("sql, params", [
    ('UPDATE "disputes_dispute" SET "summary" = %s', ["改"]),  # every row
    ('UPDATE "disputes_dispute" SET "division_id" = ("disputes_dispute"."division_id" + %s) WHERE "disputes_dispute"."id" = %s', [1, 1]),
    ('UPDATE "disputes_dispute" SET "summary" = %s FROM "org_division" WHERE "org_division"."id" = "disputes_dispute"."division_id"', ["改"]),
    ('INSERT INTO "disputes_dispute" ("division_id", "summary") SELECT "id", %s FROM "org_division"', ["甲"]),
    ('INSERT INTO "disputes_dispute" ("summary") VALUES (%s)', ["甲"]),  # the column every row has is not given
    ('INSERT INTO "disputes_dispute" ("division_id", "summary") VALUES (%s, NOW())', [1]),
    ('INSERT INTO "keypersons_category" ("name") VALUES (%s)', ["吸毒人员"]),  # belongs to no village
    ('UPDATE "core_statechange" SET "new" = %s WHERE "core_statechange"."id" = %s', ["改", 1]),  # only its additions are read
])
def test_every_other_shape_is_not_attributed(places, sql, params):
    assert villages(sql, params) is None


def test_executemany_is_not_attributed(places):
    v1, *_ = places
    sql = 'INSERT INTO "disputes_dispute" ("division_id", "summary") VALUES (%s, %s)'
    assert villages(sql, [[v1, "甲"], [v1, "乙"]], many=True) is None

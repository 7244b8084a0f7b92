import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.org.models import ApiToken


def test_token_create_prints_the_token_as_its_last_line(client, world):
    out = io.StringIO()
    call_command("token", "create", "village1", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "village1"
    assert response.json()["division"]["code"] == VILLAGE1
    assert not ApiToken.objects.filter(digest=token).exists()  # only its hash is stored
    assert AuditEvent.objects.filter(action="token", object_repr__contains="village1").exists()


def test_token_for_unknown_user_is_refused(world):
    with pytest.raises(CommandError, match="账号 nobody 不存在"):
        call_command("token", "create", "nobody")


def test_revoked_token_and_unknown_token_are_401(client, world):
    out = io.StringIO()
    call_command("token", "create", "town", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    # the output names the prefix revoke needs, and the exact command
    assert f"前缀 {token[:8]}（吊销：safestar token revoke {token[:8]}）" in out.getvalue()
    call_command("token", "revoke", token[:8], stdout=io.StringIO())
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer ss_nonsense"}).status_code == 401


def test_revoking_a_wrong_prefix_fails_in_chinese_and_changes_nothing(client, world):
    # CommandError: the command prints the message on stderr and exits with status 1
    out = io.StringIO()
    call_command("token", "create", "town", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    with pytest.raises(CommandError, match="未吊销任何令牌：没有这个前缀的令牌.*：ss_wrong"):
        call_command("token", "revoke", "ss_wrong", stdout=io.StringIO())
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    call_command("token", "revoke", token[:8], stdout=io.StringIO())
    with pytest.raises(CommandError, match="该前缀的令牌都已吊销"):  # twice: nothing left to revoke
        call_command("token", "revoke", token[:8], stdout=io.StringIO())


def test_a_deactivated_users_token_stops_working(api, world):
    get = api("grid1")
    from safestar.org.models import User

    User.objects.filter(username="grid1").update(is_active=False)
    assert get("/me").status_code == 401


def test_division_in_scope(api):
    body = api("village1")(f"/divisions/{VILLAGE1}").json()
    assert body == {
        "code": VILLAGE1,
        "name": "长岗村",
        "level": "village",
        "level_label": "行政村",
        "parent_code": CHANGGANG,
        "path": f"/410000000000/411400000000/411422000000/{CHANGGANG}/{VILLAGE1}/",
    }
    assert api("village1")(f"/divisions/{VILLAGE2}").status_code == 404
    assert api("village1")(f"/divisions/{CHANGGANG}").status_code == 404  # its own town is above its scope


def test_children_as_town_town2_and_village(api):
    town = api("town")(f"/divisions/{CHANGGANG}/children?limit=100").json()
    assert town["count"] == 20 and len(town["items"]) == 20
    assert api("town2")(f"/divisions/{CHANGGANG}/children").status_code == 404
    assert api("town2")(f"/divisions/{PINGGANG}/children").json()["count"] == 5
    assert api("village1")(f"/divisions/{VILLAGE1}/children").json() == {"items": [], "count": 0}


def test_children_are_paginated(api):
    page = api("town")(f"/divisions/{CHANGGANG}/children?limit=5&offset=5").json()
    assert page["count"] == 20
    assert [d["code"] for d in page["items"]] == [f"411422100{n}" for n in range(206, 211)]


def test_openapi_describes_the_routes(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/divisions/{code}" in schema["paths"]
    assert "/api/v1/divisions/{code}/children" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


@pytest.mark.parametrize("rows", [3, 40])
def test_children_query_count_is_fixed(api, django_assert_num_queries, rows):
    from safestar.org.models import Division

    town = Division.objects.get(code=PINGGANG)
    for i in range(rows):
        Division.objects.create(code=f"411422101{300 + i}", name=f"新村{i}", level="village", parent=town)
    get = api("town2")
    # token lookup (with user, division, department), last-used update, the parent, count, page
    with django_assert_num_queries(5):
        assert get(f"/divisions/{PINGGANG}/children?limit=100").status_code == 200

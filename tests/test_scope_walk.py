"""The scope walk: every URL pattern and API route, as anonymous, as a persona who may use it, for
an object in the neighbouring scope, and as a role that may not use it at all.

Every route must have an entry in ROUTES: a new view without one fails `test_every_route_is_walked`,
so nobody can add a page or an endpoint that skips the scope checks.
"""

from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import CHANGGANG, PINGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2


def _pk(model_path, **lookup):
    def resolve():
        from django.apps import apps

        return {"pk": apps.get_model(model_path).objects.get(**lookup).pk}

    return resolve


def _attempt(username):
    def resolve():
        from axes.models import AccessAttempt

        attempt = AccessAttempt.objects.create(
            username=username, ip_address="10.9.8.7", user_agent="x", http_accept="*/*", path_info="/login/",
            get_data="", post_data="", failures_since_start=5,
        )
        return {"pk": attempt.pk}

    return resolve


@dataclass
class Case:
    persona: str | None  # may use the route (None: public)
    own: dict | Callable = field(default_factory=dict)  # URL kwargs for an object in the persona's scope
    other: dict | Callable | None = None  # the same kind of object next door: 404 for the persona
    denied: str | None = None  # a persona whose role may not use the route: 404
    ok: int = 200
    method: str = "get"
    verified: bool = False  # the persona has passed two-factor authentication in this session


ROUTES = {
    "login": Case(None),
    "logout": Case("village1", ok=302, method="post"),
    "home": Case("grid1"),
    "password-change": Case("grid1"),
    "my-division": Case("village1", ok=302, denied="auditor"),
    "division": Case("village1", {"code": VILLAGE1}, other={"code": VILLAGE2}, denied="auditor"),
    "division-edit": Case("town", {"code": VILLAGE1}, other={"code": PINGGANG_VILLAGE}, denied="village1"),
    "village-add": Case("town", {"code": CHANGGANG}, other={"code": PINGGANG}, denied="county"),
    "villages-export": Case("village1", {"code": VILLAGE1}, other={"code": VILLAGE2}, denied="auditor"),
    "villages-import": Case("town", denied="village1"),
    "villages-template": Case("town", denied="taskforce"),
    "departments": Case("police", denied="auditor"),
    "department-add": Case("admin", denied="town"),
    "department-edit": Case(
        "admin2",
        _pk("org.Department", name="平岗镇司法所"),
        other=_pk("org.Department", name="长岗派出所"),
        denied="town",
    ),
    "accounts": Case("village1", denied="grid1"),
    "account-add": Case("village1", denied="police"),
    "account-edit": Case(
        "town", _pk("org.User", username="village1"), other=_pk("org.User", username="village3"), denied="grid1"
    ),
    "otp-verify": Case("grid1", ok=302),  # without an authenticator there is nothing to verify: home
    "otp-setup": Case("grid1"),
    "otp-recovery-codes": Case("town", method="post", verified=True, denied="village1"),
    "lockouts": Case("admin", denied="town"),
    "lockout-clear": Case("admin2", _attempt("village3"), other=_attempt("village1"), denied="town", ok=302, method="post"),
    "audit-events": Case("auditor", denied="admin"),
    "audit-export": Case("auditor", denied="town"),
    # The API: 401 without a token instead of the login page.
    "api:openapi-json": Case(None),  # the public description of the API, no data
    "api:api-root": Case(None, ok=404),  # ninja's anchor for reverse(); answers 404 to everyone
    "api:me": Case("grid1"),
    "api:division": Case("village1", {"code": VILLAGE1}, other={"code": VILLAGE2}, denied="auditor"),
    "api:division_children": Case("town", {"code": CHANGGANG}, other={"code": PINGGANG}, denied="admin2"),
}


def _route_names(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _route_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_route_is_walked():
    names = set(_route_names(get_resolver().url_patterns))
    assert None not in names and "None" not in names, "every route needs a name"
    assert names == set(ROUTES), f"routes without a scope case: {names - set(ROUTES)}; stale: {set(ROUTES) - names}"


def _kwargs(value):
    return value() if callable(value) else value


def _call(client, case, name, kwargs, username=None):
    from safestar.org.models import ApiToken, User

    url = reverse(name, kwargs=kwargs)
    headers = {}
    if username:
        user = User.objects.get(username=username)
        if name.startswith("api:"):
            headers["Authorization"] = f"Bearer {ApiToken.issue(user)[1]}"
        else:
            client.force_login(user)
            if case.verified and username == case.persona:
                _verify_session(client, user)
    response = getattr(client, case.method)(url, headers=headers)
    client.logout()
    return response


def _verify_session(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=user, name="恢复码")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_scope_walk(client, world, name):
    case = ROUTES[name]
    kwargs = _kwargs(case.own)
    is_api = name.startswith("api:")

    anonymous = _call(client, case, name, kwargs)
    if case.persona is None:
        assert anonymous.status_code == case.ok
        return
    if is_api:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login") + "?next=")

    assert _call(client, case, name, kwargs, case.persona).status_code == case.ok
    if case.other is not None:
        assert _call(client, case, name, _kwargs(case.other), case.persona).status_code == 404
    if case.denied is not None:
        assert _call(client, case, name, kwargs, case.denied).status_code == 404

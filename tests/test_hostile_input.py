"""Hostile input on every page: hypothesis feeds every page's query parameters and every field of
every form on a page hostile values (NUL and other control characters, huge and negative numbers,
%-templates, impossible dates, long strings), as the persona who may use the page. No answer may be
a 500, and afterwards no text column holds a character that Word, PDF or xlsx cannot contain.

The pages and their personas come from the scope walk (tests/test_scope_walk.py); the query
parameter names are read from the code (every `GET.get("…")`), so a new page or parameter is fed
too. Bounded: EXAMPLES values per page, hypothesis's example database off (repeatable runs).
"""

import re
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_scope_walk import _kwargs, _verify_session, all_cases

from safestar.core.ledger_ops import FILTER_PARAMS

EXAMPLES = 3  # per page: each example gives every known parameter a value at once
HOSTILE = [
    "\x00", "a\x00b", "\x0b第一行\x0b第二行", "\x1f\x7f", "\x08", "%", "50%", "%(value)s", "%s%s%n", "{0}{village}",
    "-1", "0", "99999", "9" * 25, "-" + "9" * 25, "2147483648", "1e400", "nan", "-inf", "²", "１２", "٣",
    "0001-01-01", "9999-12-31", "2024-02-30", "-0001-01-01", "abc", "' OR 1=1 --", "<script>alert(1)</script>", "x" * 5000,
]
_SOURCE = "\n".join(p.read_text() for p in Path(__file__).resolve().parents[1].joinpath("safestar").rglob("*.py"))
_NAMED = re.findall(r'(?:GET\.get|params\.get)\(\s*"(\w+)"', _SOURCE)  # request.GET.get("year")
_LOOPED = re.findall(r'GET\.get\(k\b[^)]*\)[^\n]*for k in \(([^)]*)\)', _SOURCE)  # {k: request.GET.get(k) for k in ("q", …)}
PARAMS = sorted({*_NAMED, *(name for names in _LOOPED for name in re.findall(r'"(\w+)"', names)), *FILTER_PARAMS, "page"})
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIMITS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def _pages():
    """(route name, Case) of every page a persona opens with GET (not the API, not public pages)."""
    return [(name, case) for name, _, case in all_cases()
            if not name.startswith("api:") and case.persona and case.method == "get" and case.ok == 200]


def _open(client, case):
    from safestar.org.models import User

    user = User.objects.get(username=case.persona)
    client.force_login(user)
    if case.verified:
        _verify_session(client, user)


def test_the_parameters_are_read_from_the_code():
    assert {"q", "year", "status", "kind", "page", "week", "overdue", "category"} <= set(PARAMS)


@contextmanager
def _undone():
    """Each page on its own: what opening it created (its record, a saved form) is rolled back after."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.slow
def test_every_page_survives_hostile_query_parameters(client, world):
    failures = []
    for name, case in _pages():
        with _undone():
            url = reverse(name, kwargs=_kwargs(case.own))
            _open(client, case)

            @LIMITS
            @given(query=st.fixed_dictionaries({param: VALUES for param in PARAMS}))
            def run(query):
                response = client.get(url, {**(_kwargs(case.query) or {}), **query})
                if response.status_code >= 500:
                    failures.append(f"{name} {url} {query!r}: {response.status_code}")

            run()
    assert not failures, "\n".join(failures[:30])


class _Forms(HTMLParser):
    """The POST forms of a page: action and {field: default value} (file inputs and buttons left out)."""

    def __init__(self):
        super().__init__()
        self.forms, self._select = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "post": (attrs.get("method") or "").lower() == "post",
                               "fields": {}, "multipart": "multipart" in (attrs.get("enctype") or "")})
        elif not self.forms or not attrs.get("name"):
            return
        elif tag == "input" and attrs.get("type") not in ("file", "submit", "button", "image", "reset"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1]["fields"].setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "textarea":
            self.forms[-1]["fields"].setdefault(attrs["name"], "")
        elif tag == "select":
            self._select = attrs["name"]
            self.forms[-1]["fields"].setdefault(attrs["name"], "")
        elif tag == "option" and self._select and attrs.get("value") and not self.forms[-1]["fields"].get(self._select):
            self.forms[-1]["fields"][self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _post_forms(client, url):
    parser = _Forms()
    response = client.get(url)
    if not response.get("Content-Type", "").startswith("text/html"):
        return []  # a download
    parser.feed(response.content.decode())
    return [f for f in parser.forms if f["post"] and f["fields"] and not f["multipart"]
            and f["action"] not in ("/logout/", reverse("logout"))]


@pytest.mark.slow
def test_every_form_field_survives_hostile_values(client, world):
    failures, posted, unwritable = [], 0, []
    for name, case in _pages():
        if name in ("password-change",):  # a hostile new password only logs the persona out of the next pages
            continue
        with _undone():
            url = reverse(name, kwargs=_kwargs(case.own))
            _open(client, case)
            forms = _post_forms(client, url)
            for form in forms:
                target = form["action"] or url
                names = [n for n in form["fields"] if n not in ("csrfmiddlewaretoken",)]
                if not names:
                    continue
                posted += 1

                @LIMITS
                @given(values=st.dictionaries(st.sampled_from(names), VALUES, min_size=1, max_size=3))
                def run(values):
                    response = client.post(target, {**form["fields"], **values})
                    if response.status_code >= 500:
                        failures.append(f"{name} → POST {target} {values!r}: {response.status_code}")

                run()
            if forms:
                unwritable += _unwritable_text()
    assert posted >= 20, f"only {posted} forms found: the parser no longer reads the pages"
    assert not failures, "\n".join(failures[:30])
    assert not unwritable, f"text that no document can hold was saved: {unwritable[:10]}"


def _unwritable_text():
    """(model, field, pk) of every saved text holding a control character other than tab and line break."""
    from django.apps import apps
    from django.db import models

    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("safestar."):
            continue
        for field in model._meta.concrete_fields:
            if type(field) in (models.CharField, models.TextField):
                rows = model._base_manager.filter(**{f"{field.name}__regex": CONTROL.pattern}).values_list("pk", flat=True)[:3]
                found += [(model.__name__, field.name, pk) for pk in rows]
    return found


@pytest.mark.parametrize("size", [1_000_000])
def test_a_huge_field_gets_a_chinese_answer(client, world, size):
    """1 MB of Chinese text in one field (9 MB once encoded): Chinese 400 page, nothing saved."""
    client.force_login(__import__("safestar.org.models", fromlist=["User"]).User.objects.get(username="village1"))
    response = client.post(reverse("ledger-add", kwargs={"ledger": "disputes"}), {"summary": "纠" * size})
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode() and "Bad Request" not in response.content.decode()

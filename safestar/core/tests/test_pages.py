"""Stored pages (core/pages.py): a page opened again while nothing it shows has changed is sent as it
was drawn; any write in the user's county draws it again; what is sent is always what a fresh drawing
shows."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils.crypto import get_random_string

from conftest import CHANGGANG, OTHER_COUNTY_VILLAGE, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.core import pages
from safestar.evaluation.tests.conftest import open_round, users  # noqa: F401 (fixtures)
from safestar.org.models import User
from safestar.schemes.cache import UNWATCHED

TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token
NONCE = re.compile(r'nonce="[^"]*"')
# A stored page costs the session, the account and the data's version.
SENT_AGAIN = 3


def browser(username, **options):
    """A client signed in as `username` with a CSRF cookie, as a browser has one from the login page."""
    client = Client(**options)
    client.force_login(User.objects.get(username=username))
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    return client


def same(html):
    """A page's HTML without what differs between two drawings of it (CSRF tokens, the CSP nonce)."""
    return NONCE.sub('nonce=""', TOKEN.sub("TOKEN", html))


@pytest.fixture
def sent(monkeypatch):
    """The number of pages sent from the store so far (a list holding one count)."""
    count = [0]
    again = pages._again

    def counted(*args):
        count[0] += 1
        return again(*args)

    monkeypatch.setattr(pages, "_again", counted)
    return count


def test_a_page_opened_again_unchanged_is_sent_as_stored_with_its_own_nonce(world, sent, django_assert_num_queries):
    load_scheme()
    client = browser("town")
    url = f"/divisions/{VILLAGE1}/"
    first = client.get(url)
    assert first.status_code == 200 and sent == [0]
    with django_assert_num_queries(SENT_AGAIN):
        again = client.get(url)
    assert sent == [1] and again.status_code == 200
    assert same(again.content.decode()) == same(first.content.decode())
    nonces = set(re.findall(r'nonce="([^"]+)"', again.content.decode()))
    assert len(nonces) == 1 and nonces != set(re.findall(r'nonce="([^"]+)"', first.content.decode()))
    assert f"'nonce-{nonces.pop()}'" in again["Content-Security-Policy"]  # the scripts may run


def test_a_write_in_the_county_draws_the_page_again_and_one_elsewhere_does_not(world, sent):
    client = browser("town")
    url = "/ledgers/incidents/"
    client.get(url)
    make_record("incidents", OTHER_COUNTY_VILLAGE, title="宁陵县的事")  # another county: nothing here shows it
    assert client.get(url).status_code == 200 and sent == [1]
    make_record("incidents", PINGGANG_VILLAGE, title="平岗村的事")  # the county's: a town's page may show its ranks
    client.get(url)
    assert sent == [1]
    make_record("incidents", VILLAGE2, title="杨庄村的事")
    assert "杨庄村的事" in client.get(url).content.decode() and sent == [1]


def test_pages_are_stored_per_account_per_browser_and_per_day(world, sent, monkeypatch):
    url = "/ledgers/incidents/"
    browser("town").get(url)
    assert browser("police").get(url).status_code == 200 and sent == [0]  # another account
    second = browser("town")
    second.get(url)
    assert sent == [0]  # another browser (another CSRF secret)
    second.get(url)
    assert sent == [1]
    monkeypatch.setattr(pages, "today", lambda: datetime.date(2030, 1, 1))
    second.get(url)
    assert sent == [1]  # the next day: "today" is in what the page shows (overdue visits, deadlines)
    without = Client()  # a browser without a CSRF cookie is not served from the store
    without.force_login(User.objects.get(username="town"))
    without.get(url)
    assert sent == [1]


def test_a_form_on_a_stored_page_is_accepted(world, sent):
    client = browser("town", enforce_csrf_checks=True)
    client.get("/ledgers/incidents/")
    html = client.get("/ledgers/incidents/").content.decode()
    assert sent == [1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # the logout form's
    assert client.post("/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_waiting_message_is_shown_not_a_stored_page(world, sent):
    scheme = load_scheme()
    client = browser("county")
    url = f"/schemes/{scheme.pk}/villages/{VILLAGE1}/"
    client.get(url)
    shown = client.post(url, {"indicator": "C1.6", "points": "很多"}, follow=True)  # refused: nothing written
    assert "得分应为数字" in shown.content.decode() and sent == [0]
    assert "得分应为数字" not in client.get(url).content.decode()  # shown once


def request_for(user, path):
    request = RequestFactory().get(path)
    request.user, request.META["CSRF_COOKIE"] = user, "s" * 32  # as CsrfViewMiddleware reads the cookie
    request.session = SessionStore()
    return request


def test_a_page_whose_drawing_wrote_anything_is_not_stored(world):
    from safestar.audit.log import record

    user = User.objects.get(username="town")
    drawn = []

    @pages.stored
    def quiet(request):
        drawn.append("quiet")
        return HttpResponse("<p>页</p>")

    @pages.stored
    def noting(request):  # e.g. a page that records who read a sensitive record
        drawn.append("noting")
        record("view", user, actor=user, object_repr="查看")
        return HttpResponse("<p>页</p>")

    @pages.stored
    def remembering(request):  # e.g. a page that keeps the user's last filter in the session
        drawn.append("remembering")
        request.session["filter"] = "x"
        return HttpResponse("<p>页</p>")

    @pages.stored
    def missing(request):
        drawn.append("missing")
        return HttpResponse("<p>无</p>", status=404)

    for view in (quiet, noting, remembering, missing):
        view(request_for(user, f"/{view.__name__}/"))
        view(request_for(user, f"/{view.__name__}/"))
    assert drawn == ["quiet", "noting", "noting", "remembering", "remembering", "missing", "missing"]


def test_no_page_is_stored_when_stored_pages_are_off(world, sent, settings):
    settings.SAFESTAR_STORED_PAGES = False
    client = browser("town")
    client.get("/ledgers/incidents/")
    client.get("/ledgers/incidents/")
    assert sent == [0]


def stored_pages(scheme, round):
    """(account, address) of every stored view, at each level that draws it differently."""
    return [
        ("village1", f"/divisions/{VILLAGE1}/"),
        ("village1", f"/schemes/{scheme.pk}/villages/{VILLAGE1}/"),
        ("town", f"/divisions/{CHANGGANG}/"),
        ("town", "/ledgers/disputes/"),
        ("town", f"/schemes/{scheme.pk}/results/"),
        ("town", f"/evaluation/{round.pk}/"),
        ("county", f"/schemes/{scheme.pk}/results/"),
        ("county", f"/evaluation/{round.pk}/"),
        ("county", f"/evaluation/{round.pk}/towns/{CHANGGANG}/"),
        ("town", "/dashboard/"),
        ("town", "/dashboard/warnings/"),
        ("county", "/dashboard/"),
    ]


def test_stored_views_read_nothing_the_generations_do_not_watch(open_round, monkeypatch):
    """What a stored page shows must be moved by the generations: no stored view reads a table whose
    writes they ignore (notices, audit, sessions, jobs)."""
    read = set()

    class Reading(pages.Writes):
        def __call__(self, execute, sql, params, many, context):
            read.update(t.lower() for t in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', sql, re.I))
            return super().__call__(execute, sql, params, many, context)

    monkeypatch.setattr(pages, "Writes", Reading)
    round = open_round()
    for account, url in stored_pages(round.scheme, round):
        assert browser(account).get(url).status_code == 200, url
    assert {"incidents_incident", "disputes_dispute", "evaluation_entry"} <= read  # the drawings were seen
    assert not read & UNWATCHED - {"schemes_cachedresult", "schemes_resultgeneration", "schemes_villagegeneration"}


def test_what_is_sent_is_what_a_fresh_drawing_shows_after_every_kind_of_write(open_round, settings, sent):
    from safestar.dashboards import snapshots
    from safestar.evaluation.models import Entry
    from safestar.incidents.models import Incident
    from safestar.org.models import Division

    round = open_round()
    shown = stored_pages(round.scheme, round)
    clients = {account: browser(account) for account, _ in shown}

    def check():
        for account, url in shown:
            settings.SAFESTAR_STORED_PAGES = True
            served = clients[account].get(url).content.decode()
            settings.SAFESTAR_STORED_PAGES = False
            assert same(served) == same(clients[account].get(url).content.decode()), (account, url)

    moved = make_record("incidents", VILLAGE1, title="长岗村的事")
    writes = [
        lambda: make_record("incidents", OTHER_COUNTY_VILLAGE, title="宁陵县的事"),
        lambda: make_record("incidents", VILLAGE2, title="杨庄村的事", severity="major"),
        lambda: make_record("disputes", VILLAGE1),
        lambda: make_record("incidents", PINGGANG_VILLAGE, title="平岗村的事"),
        lambda: Incident.objects.filter(pk=moved.pk).update(division=Division.objects.get(code=VILLAGE2)),
        lambda: Entry.objects.filter(round=round, village__code=VILLAGE2).update(status=Entry.Status.SUBMITTED),
        lambda: Division.objects.filter(code=VILLAGE1).update(name="长岗新村"),
        lambda: snapshots.take(round.scheme.year),  # the dashboards' trend
    ]
    check()
    for write in writes:
        write()
        check()
    assert sent[0] >= len(shown)  # pages were sent from the store, not only drawn


def test_an_account_moved_elsewhere_never_gets_a_page_stored_before(world, sent, monkeypatch):
    """Even were the data's versions of two places equal, a page is stored for the account's place,
    role and department as they were."""
    from safestar.org.models import Division

    monkeypatch.setattr(pages, "version", lambda user: ("the same everywhere",))
    client = browser("village1")
    client.get("/ledgers/incidents/")
    User.objects.filter(username="village1").update(division=Division.objects.get(code=VILLAGE2))
    client.get("/ledgers/incidents/")
    assert sent == [0]
    client.get("/ledgers/incidents/")
    assert sent == [1]

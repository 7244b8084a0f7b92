"""Phone-first lists: at 390×844 every list page shows its rows as cards whose title is a link that
lies within the screen. The list pages are found, not listed: every route of the scope walk that its
persona opens with GET and that renders through core/lists.py render_list (marked data-list-page),
so a new list page is included the day it is added. Screenshots go to the test's tmp_path."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from conftest import CHANGGANG, VILLAGE1, make_record
from safestar.core.ledger import LEDGERS
from safestar.org.models import User

WIDTH, HEIGHT = 390, 844


def _cases():
    import test_scope_walk  # tests/ is on the path of the tests below it (rootdir conftest, no package)

    return test_scope_walk.all_cases(), test_scope_walk._kwargs


def _one_of_everything(cases, kwargs_of):
    """A record in every ledger of 长岗村 and the objects the scope walk's cases make (rounds,
    applications, key persons …), so that every list has a row to show."""
    import datetime

    import test_scope_walk
    from safestar.evaluation.models import Round, StarRecord
    from safestar.keypersons.tests.factories import key_person
    from safestar.org.models import Division

    for slug in LEDGERS:
        with transaction.atomic():
            make_record(slug, VILLAGE1)
    key_person(VILLAGE1, responsible=User.objects.get(username="village1"))  # village1 reads the persons it is 包案人 of
    round = Round.objects.get(**test_scope_walk._round(CHANGGANG)())
    StarRecord.objects.create(village=Division.objects.get(code=VILLAGE1), year=round.scheme.year, round=round, star=round.scheme.star,
                              action=StarRecord.Action.AWARDED, on=datetime.date(2023, 12, 20))
    from safestar.notices.models import Delivery, Notice
    from safestar.notices.services import collect

    collect()  # every persona's 我的待办 becomes notices: the inbox lists them
    for user in User.objects.all():  # and one for everybody, whatever their queues hold today
        Notice.objects.get_or_create(recipient=user, key="phone-list", defaults={"kind": "test", "title": "测试通知", "url": "/"})
    notice = Notice.objects.filter(recipient__username="village1").first()
    Delivery.objects.create(recipient=notice.recipient, notice=notice, channel="webhook", subject=notice.title, text=notice.title,
                            status=Delivery.Status.FAILED, attempts=5, last_error="连接被拒绝")  # the administrator's failures page
    for _, _, case in cases:
        for value in (case.own, case.query):
            if callable(value):
                try:
                    with transaction.atomic():
                        kwargs_of(value)
                except Exception:  # noqa: BLE001 — a second object of a kind that allows one: the first is enough
                    pass


def list_pages():
    """[(persona, path)] of every list page, found through the scope walk's routes."""
    cases, kwargs_of = _cases()
    _one_of_everything(cases, kwargs_of)
    client, found = Client(), []
    for name, _, case in cases:
        if name.startswith("api:") or case.persona is None or case.method != "get" or case.ok != 200 or case.verified \
                or callable(case.own):  # a page of one object, not a list
            continue
        path = reverse(name, kwargs=kwargs_of(case.own))
        client.force_login(User.objects.get(username=case.persona))
        response = client.get(path)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html") and \
                b"data-list-page=" in response.content:
            found.append((case.persona, path))
    client.logout()
    return found


@pytest.mark.browser
@pytest.mark.slow
def test_every_list_page_shows_cards_with_a_visible_link_on_a_phone(ui, tmp_path):
    pages = list_pages()
    assert len(pages) >= len(LEDGERS) + 8, pages  # the ledgers and the other lists
    page = ui.page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    persona, empty, unlinked = None, [], set()
    for who, path in sorted(pages):
        if who != persona:
            ui.login(who)
            persona = who
        ui.goto(path)
        page.wait_for_load_state("networkidle")  # a list htmx loads after the page (a village's grids)
        rows = page.locator("main table tbody tr")
        if rows.count() == 0:
            if page.locator("main").get_attribute("data-list-page") != "division":  # a village has no subdivisions to list
                empty.append(path)
            continue
        card = rows.first
        expect(card).to_have_css("display", "flex")  # a card, not a table row
        if card.locator("a[href]").count():
            target = card.locator("td.card-title-cell a[href]").first  # the title is the link
        else:  # rows without a page of their own (lockouts, audit events, departments, grids): the title, its button if any
            unlinked.add(page.locator("main").get_attribute("data-list-page"))
            target = card.locator("button").first if card.locator("button").count() else card.locator("td.card-title-cell")
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and 0 <= box["y"] < HEIGHT, (path, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, path  # nothing pushes the page sideways
        page.screenshot(path=str(tmp_path / (path.strip("/").replace("/", "_") + ".png")), full_page=False)
    # rows without a page of their own (a notice opens through its 查看 button, which marks it read)
    assert unlinked <= {"lockouts", "audit-events", "departments", "division", "notices", "notice-failures"}, unlinked
    assert empty == [], f"list pages without a row to show: {empty}"


@pytest.mark.browser
def test_a_wide_screen_keeps_the_table(ui):
    make_record("cameras", VILLAGE1)
    page = ui.login("village1")
    ui.goto("/ledgers/cameras/")
    row = page.locator("main table.table-ss tbody tr").first
    expect(row).to_have_css("display", "table-row")
    expect(page.locator("main table.table-ss thead")).to_be_visible()

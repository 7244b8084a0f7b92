"""The 台账 menu: every ledger once, under its field, fields in the plan's order; the names a scheme
gives as 数据来源 are the menu's names (one name per ledger)."""

import re

import pytest

from safestar.core.ledger import LEDGERS
from safestar.core.panels import LEDGER_GROUPS, LEDGER_MENU, NAVIGATION, menus, nav_entry
from safestar.org.models import User


def test_every_ledger_is_in_the_menu_once_under_a_field_of_the_plan():
    entries = [entry for entry in NAVIGATION if entry.menu == LEDGER_MENU]
    assert sorted(e.args[0] for e in entries if e.url_name == "ledger-list") == sorted(LEDGERS)
    assert {e.group for e in entries} == set(LEDGER_GROUPS)
    labels = [e.label for e in entries]
    assert len(labels) == len(set(labels))  # one name per ledger
    assert {e.label for e in entries if e.group == "重点人员"} == {"重点人员登记簿"}


def test_a_ledger_menu_entry_of_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="no group"):
        nav_entry(1, "测试台账", "ledger-list", lambda user: True, menu=LEDGER_MENU, group="其他")


def test_the_town_menu_shows_the_ledgers_grouped_by_field_in_order(login, world):
    town = User.objects.get(username="town")
    ((menu, groups),) = menus(town)
    assert menu == "台账" and [g for g, _ in groups] == list(LEDGER_GROUPS)
    assert sum(len(entries) for _, entries in groups) == len(LEDGERS) + 1
    html = login("town").get("/").content.decode()
    headers = re.findall(r'<h6 class="dropdown-header" data-testid="menu-group">(.*?)</h6>', html)
    assert headers == list(LEDGER_GROUPS)
    security = html.split(">治安防控</h6>")[1].split("dropdown-divider")[0]
    assert "/ledgers/cameras/" in security and "/ledgers/disputes/" not in security


def test_a_department_sees_only_the_fields_it_shares(world):
    police = User.objects.get(username="police")
    groups = dict(menus(police)[0][1]) if menus(police) else {}
    assert "宗教" not in groups or all("/ledgers/religious" in url for _, url in groups["宗教"])
    for group, entries in groups.items():
        assert entries, group  # no empty heading


def test_a_scheme_source_that_is_not_a_menu_name_is_refused(world):
    from safestar.schemes.loading import context
    from safestar.schemes.tests.test_kinds import scheme_text
    from safestar.schemes.validate import SchemeError, parse

    text = scheme_text({"type": "manual"}).replace("    title: 被测指标", "    title: 被测指标\n    source: 宣传活动台账")
    assert "source: 宣传活动台账" in text
    with pytest.raises(SchemeError, match="数据来源“宣传活动台账”不是系统中的台账名称.*宣传台账"):
        parse(text, "k.yaml", context())
    parse(text.replace("宣传活动台账", "宣传台账"), "k.yaml", context())

"""The key-person registry in a real browser: the town office registers a person, the list shows
them masked, the full record appears only after a reason is given, the 包案人 records a visit, and
a grid worker finds no trace of the registry. Fails on any CSP violation or script error."""

import pytest
from playwright.sync_api import expect

from safestar.audit.models import AuditEvent
from safestar.clock import today
from safestar.keypersons.models import Category

ID = "41142219800101103X"


@pytest.mark.browser
def test_register_reveal_and_visit(ui):
    page = ui.login("town")
    ui.page.get_by_test_id("menu-台账").click()  # the 台账 menu, group 重点人员
    ui.nav_link("重点人员登记簿").click()
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.get_by_role("link", name="登记", exact=True).click()
    page.locator("#id_division").select_option(label="长岗村（411422100201）")
    page.locator("#id_name").fill("欧阳振华")
    page.locator("#id_id_number").fill(ID.lower())
    page.locator("#id_phone").fill("13912345678")
    page.locator("#id_address").fill("长岗村三组18号")
    page.locator("#id_registered_on").fill("2023-02-10")
    page.get_by_label(Category.objects.get(code="mental").name, exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("须填写")  # the category's details
    page.locator("#id_guardian_name").fill("欧阳秀英")
    page.locator("#id_guardian_relation").fill("配偶")
    page.locator("#id_guardian_phone").fill("13900002222")
    page.locator("#id_risk_grade").fill("1")
    page.locator("#id_treatment").select_option(label="居家服药")
    page.locator("#id_responsible").select_option(index=1)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_test_id("person-name")).to_contain_text("欧**华")
    expect(page.get_by_test_id("record")).to_contain_text("4114**********103X")
    expect(page.get_by_text("长岗村三组18号")).to_have_count(0)
    page.get_by_label("查看原因").fill("走访前核对住址")
    page.get_by_role("button", name="查看完整信息").click()
    expect(page.get_by_test_id("revealed")).to_contain_text("走访前核对住址")
    expect(page.get_by_test_id("record")).to_contain_text(ID)
    expect(page.get_by_test_id("record")).to_contain_text("长岗村三组18号")
    assert AuditEvent.objects.filter(action="view", actor_name="town").count() == 1

    ui.page.get_by_test_id("menu-台账").click()  # the 台账 menu, group 重点人员
    ui.nav_link("重点人员登记簿").click()
    expect(page.get_by_test_id("key-person-table")).to_contain_text("欧**华")
    expect(page.get_by_test_id("key-person-table")).not_to_contain_text("欧阳振华")


@pytest.mark.browser
def test_the_responsible_cadre_records_a_visit_and_a_grid_worker_sees_nothing(ui):
    from conftest import VILLAGE1
    from safestar.keypersons.tests.factories import key_person

    person = key_person(VILLAGE1, name="王建国")
    page = ui.login("village1")
    ui.page.get_by_test_id("menu-台账").click()  # the 台账 menu, group 重点人员
    ui.nav_link("重点人员登记簿").click()
    page.get_by_role("link", name="查看").first.click()
    form = page.get_by_test_id("visit-form")
    form.locator("#id_visited_on").fill(today().isoformat())
    form.locator("#id_visitor").fill("李主任")
    form.locator("#id_findings").fill("本人在家务农，情绪稳定")
    form.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_test_id("visits")).to_contain_text("李主任")
    expect(page.get_by_test_id("visits")).not_to_contain_text("情绪稳定")  # findings only after a reveal
    assert person.visits.get().findings == "本人在家务农，情绪稳定"

    page = ui.login("grid1")
    expect(ui.nav_link("重点人员登记簿")).to_have_count(0)
    ui.goto(f"/key-persons/{person.pk}/", status=404)

"""The creation chain in a real browser, each step by the persona who does it: the village applies,
the town office confirms and the task list appears, the town inspects and records an individual
finding, the village fills in the rectification plan and submits progress, the town verifies and
closes it. The `ui` fixture fails the test on any CSP violation, script error or failed request."""

import pytest
from playwright.sync_api import expect

from conftest import load_scheme


@pytest.mark.browser
@pytest.mark.slow
def test_apply_confirm_inspect_rectify_and_close(ui):
    scheme = load_scheme()
    page = ui.login("village1")
    ui.nav_link("创建督导").click()
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.get_by_role("link", name="申请创建").click()
    page.get_by_label("创建方案").select_option(str(scheme.pk))
    page.get_by_label("申请说明").fill("我村申请参加创建")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交创建申请")
    expect(page.get_by_test_id("status")).to_have_text("待确认")
    expect(page.get_by_test_id("decide")).to_have_count(0)  # the village does not confirm itself

    page = ui.login("town")
    ui.nav_link("我的待办").click()
    page.get_by_test_id("to-decide").get_by_role("link").click()
    page.get_by_label("确认结果").select_option("confirm")
    page.get_by_label("意见").fill("同意列为创建主体")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("status")).to_have_text("已确认")
    expect(page.get_by_test_id("tasks").locator("tbody tr")).to_have_count(len(scheme.spec.indicators()))
    expect(page.get_by_test_id("progress")).to_contain_text("治安防控严密有效")
    expect(page.get_by_test_id("events")).to_contain_text("同意列为创建主体")

    ui.goto("/creation/inspections/")
    page.get_by_role("link", name="安排督导").click()
    page.get_by_label("督导主题").fill("第二季度创建督导")
    page.get_by_label("计划日期").fill("2023-05-16")
    page.get_by_label("长岗村").check()
    page.get_by_label("长岗派出所").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("status")).to_have_text("计划中")
    page.get_by_label("开展日期").fill("2023-05-16")
    page.get_by_label("总体情况").fill("台账基本齐全")
    page.get_by_role("button", name="记录开展情况").click()
    expect(page.get_by_test_id("status")).to_have_text("已开展")
    page.get_by_role("link", name="登记问题").click()
    page.get_by_label("村").select_option(label="长岗村")
    page.get_by_label("对应指标").select_option("C1.5")
    page.get_by_label("发现的问题").fill("村东入口监控探头损坏2路")
    page.get_by_label("严重程度").select_option("serious")
    page.get_by_label("整改期限").fill("2023-06-30")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("并为该村生成整改方案")
    expect(page.get_by_test_id("plan-link")).to_contain_text("整改中，期限 2023-06-30")

    page = ui.login("village1")
    ui.goto("/creation/rectifications/")
    page.get_by_test_id("plans").get_by_role("link", name="查看").click()
    page.get_by_role("link", name="填写整改措施").click()
    page.get_by_label("整改措施").fill("联系运营商维修损坏探头")
    page.get_by_label("责任人").select_option(label="长岗村网格员")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("measures")).to_have_text("联系运营商维修损坏探头")
    page.get_by_label("整改进展").fill("已报修，等待运营商上门")
    page.get_by_role("button", name="报送进展").click()
    expect(page.get_by_test_id("progress")).to_contain_text("已报修，等待运营商上门")
    page.get_by_label("整改完成情况").fill("2路探头已恢复")
    page.get_by_role("button", name="提交验收").click()
    expect(page.get_by_test_id("status")).to_have_text("待验收")
    expect(page.get_by_test_id("verify")).to_have_count(0)

    page = ui.login("town")
    ui.nav_link("我的待办").click()
    page.get_by_test_id("to-verify").get_by_role("link").click()
    page.get_by_label("验收意见").fill("现场查看属实")
    page.get_by_role("button", name="验收销号").click()
    expect(page.get_by_role("alert")).to_contain_text("已验收销号")
    expect(page.get_by_test_id("status")).to_contain_text("已销号")
    expect(page.get_by_test_id("events")).to_contain_text("现场查看属实")

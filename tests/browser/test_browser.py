"""The personas in a real browser: login, the division tree and its scope, search-as-you-type,
adding a village, the phone layout and logout. Every test also fails on any CSP violation, script
error, failed or external request (see the `ui` fixture in conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2

CHANGGANG_VILLAGES = "长岗 杨庄 李庄 王楼 张庄 刘寨 赵店 孙庄 陈楼 杨集 高庄 马庄 朱庄 胡寨 郭庄 周楼 吴庄 徐庄 黄庄 宋集".split()
PINGGANG_VILLAGES = "平岗 东关 西关 魏庄 许楼".split()


@pytest.mark.browser
def test_village_cadre_sees_own_village_only(ui):
    page = ui.login("village1")
    expect(page.get_by_test_id("role")).to_have_text("村干部")
    expect(page.get_by_test_id("division-path")).to_contain_text("长岗镇 / 长岗村")
    expect(ui.nav_link("区划与村")).to_be_visible()
    expect(ui.nav_link("账号管理")).to_be_visible()  # village cadres grant grid accounts

    ui.nav_link("区划与村").click()
    expect(page).to_have_url(ui.url(f"/divisions/{VILLAGE1}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("长岗村")
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("长岗镇")
    expect(page.get_by_test_id("breadcrumb").locator(".active")).to_have_text("长岗村")

    ui.goto(f"/divisions/{VILLAGE2}/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.get_by_text("杨庄村")).to_have_count(0)


@pytest.mark.browser
def test_town_lists_and_searches_its_villages(ui):
    page = ui.login("town")
    expect(page).to_have_url(ui.url("/dashboard/"))  # the town office lands on its dashboard
    ui.nav_link("首页").click()
    expect(page.get_by_test_id("role")).to_have_text("镇平安办")
    ui.nav_link("区划与村").click()
    expect(page).to_have_url(ui.url(f"/divisions/{CHANGGANG}/"))
    rows = ui.child_rows()
    expect(rows).to_have_count(20)
    expect(rows.locator("td:nth-child(2)")).to_have_text([f"{name}村" for name in CHANGGANG_VILLAGES])

    # Search-as-you-type swaps only the table (htmx); the page itself is never reloaded.
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true") as hx:
        page.get_by_role("searchbox", name="搜索").fill("杨庄")
    assert hx.value.status == 200
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("杨庄村")
    expect(rows.first).to_contain_text(VILLAGE2)
    expect(page).to_have_url(re.compile(r"\?q=%E6%9D%A8%E5%BA%84$"))  # hx-push-url
    assert page.evaluate("window.__sameDocument") is True
    expect(page.get_by_test_id("user-menu")).to_be_visible()  # the partial did not replace the page

    ui.goto(f"/divisions/{PINGGANG}/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")


@pytest.mark.browser
def test_town_adds_a_village_and_a_bad_code_is_refused(ui):
    from safestar.org.models import Division

    page = ui.login("town")
    ui.goto(f"/divisions/{CHANGGANG}/")
    page.get_by_role("link", name="新增行政村").click()
    expect(page).to_have_url(ui.url(f"/divisions/{CHANGGANG}/villages/new/"))
    page.get_by_label("村级区划代码").fill("411422100221")
    page.get_by_label("村名称").fill("测试村")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(ui.url(f"/divisions/{CHANGGANG}/"))
    expect(page.get_by_role("alert")).to_contain_text("已新增行政村“测试村”。")
    expect(page.get_by_text("共 21 条")).to_be_visible()
    page.get_by_role("link", name="下一页").click()  # 20 a page, ordered by code: the new one is last
    expect(ui.child_rows()).to_have_count(1)
    expect(ui.child_rows().first).to_contain_text("411422100221")
    expect(ui.child_rows().first).to_contain_text("测试村")
    assert Division.objects.get(code="411422100221").parent.code == CHANGGANG

    ui.goto(f"/divisions/{CHANGGANG}/")
    page.get_by_role("link", name="新增行政村").click()
    page.get_by_label("村级区划代码").fill("12345")
    page.get_by_label("村名称").fill("坏代码村")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(ui.url(f"/divisions/{CHANGGANG}/villages/new/"))
    code_field = page.locator(".mb-3", has=page.locator("#id_code"))
    expect(code_field.locator(".invalid-feedback")).to_have_text("区划代码应为12位数字")
    expect(page.locator("#id_code")).to_have_value("12345")
    expect(page.get_by_role("alert")).to_have_count(0)  # no success message, no form-wide error
    assert not Division.objects.filter(name="坏代码村").exists()
    assert Division.objects.filter(parent__code=CHANGGANG).count() == 21

    page.get_by_role("link", name="取消").click()
    expect(page.get_by_text("共 21 条")).to_be_visible()
    expect(page.get_by_text("坏代码村")).to_have_count(0)


@pytest.mark.browser
def test_other_town_sees_none_of_changgang(ui):
    page = ui.login("town2")
    ui.goto("/")
    expect(page.get_by_test_id("division-path")).to_contain_text("平岗镇")
    ui.nav_link("区划与村").click()
    expect(page).to_have_url(ui.url(f"/divisions/{PINGGANG}/"))
    rows = ui.child_rows()
    expect(rows.locator("td:nth-child(2)")).to_have_text([f"{name}村" for name in PINGGANG_VILLAGES])
    expect(page.get_by_test_id("children")).not_to_contain_text("411422100")
    for name in CHANGGANG_VILLAGES:
        expect(page.get_by_text(f"{name}村")).to_have_count(0)

    page.get_by_role("searchbox", name="搜索").fill("杨庄")
    expect(page.get_by_text("没有找到与“杨庄”匹配的下级区划。")).to_be_visible()

    ui.goto(f"/divisions/{CHANGGANG}/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    ui.goto(f"/divisions/{VILLAGE1}/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")


@pytest.mark.browser
def test_phone_navbar_collapses_into_toggler(ui):
    page = ui.page
    page.set_viewport_size({"width": 390, "height": 800})
    ui.login("town")
    toggler = page.get_by_role("button", name="展开菜单")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(ui.nav_link("区划与村")).to_be_hidden()
    expect(page.get_by_test_id("user-menu")).to_be_hidden()

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    for label in ["首页", "区划与村", "部门", "账号管理"]:
        expect(ui.nav_link(label)).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    ui.nav_link("区划与村").click()
    expect(page).to_have_url(ui.url(f"/divisions/{CHANGGANG}/"))
    expect(ui.nav_link("区划与村")).to_be_hidden()  # collapsed again on the new page


@pytest.mark.browser
def test_grid_member_logs_out_through_user_menu(ui):
    page = ui.login("grid1")
    expect(page.get_by_test_id("role")).to_have_text("网格员")
    expect(ui.nav_link("区划与村")).to_be_visible()
    expect(ui.nav_link("账号管理")).to_have_count(0)  # grid members grant nothing

    logout = page.get_by_role("button", name="退出登录")
    expect(logout).to_be_hidden()
    page.get_by_test_id("user-menu").click()
    expect(logout).to_be_visible()
    logout.click()

    expect(page).to_have_url(ui.url("/login/"))
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    ui.goto("/")  # logged out for real: home sends the browser back to the login form
    expect(page).to_have_url(ui.url("/login/?next=/"))

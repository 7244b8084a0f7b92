"""Ledgers and scores in a real browser: a grid worker records an incident with a photo, the town
filters the ledger; the town ranks its villages and opens a scorecard. The `ui` fixture fails each
test on any CSP violation, script error, failed or external request."""

import pytest
from playwright.sync_api import expect

from conftest import VILLAGE1, load_scheme

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.mark.browser
def test_grid_worker_records_an_incident_with_a_photo(ui, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    page = ui.login("grid1")
    ui.goto("/ledgers/incidents/")
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.get_by_role("link", name="新增").click()
    page.locator("#id_kind").select_option(label="电信诈骗")
    page.locator("#id_occurred_on").fill("2023-05-12")
    page.locator("#id_title").fill("村民接到冒充客服电话")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    expect(page.get_by_test_id("record")).to_contain_text("长岗村")
    page.locator("input[type=file]").set_input_files({"name": "现场.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_role("button", name="上传附件").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("现场.png")
    page.get_by_role("link", name="修改历史").click()
    expect(page.get_by_test_id("history")).to_contain_text("村民接到冒充客服电话")


@pytest.mark.browser
def test_town_filters_the_ledger_without_reloading(ui):
    from conftest import make_record

    make_record("incidents", VILLAGE1, title="长岗村的事")
    make_record("incidents", "411422100202", title="杨庄村的事")
    page = ui.login("town")
    ui.goto("/ledgers/incidents/")
    expect(page.get_by_test_id("ledger-table").locator("tbody tr")).to_have_count(2)
    page.evaluate("window.__marker = 1")
    page.locator("select[name=village]").select_option(VILLAGE1)
    expect(page.get_by_test_id("ledger-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("ledger-table")).to_contain_text("长岗村的事")
    assert page.evaluate("window.__marker") == 1  # htmx swapped the table, no page load


@pytest.mark.browser
def test_town_ranks_its_villages_and_opens_a_scorecard(ui):
    scheme = load_scheme()
    page = ui.login("town")
    ui.goto(f"/schemes/{scheme.pk}/")
    expect(page.get_by_test_id("scheme-table")).to_contain_text("监控探头不少于6路并在用")
    page.get_by_role("link", name="评分结果").first.click()
    expect(page.get_by_test_id("results").locator("tbody tr")).to_have_count(20)
    page.get_by_role("link", name="长岗村").click()
    expect(page.get_by_test_id("status")).to_have_text("待定")
    expect(page.get_by_test_id("scorecard")).to_contain_text("在用监控探头路数为0路")

"""Importing a village's own ledger in a real browser: a dispute sheet with columns the system does
not know goes through the mapping step, the preview lists each sheet, and the import lands; the
`ui` fixture fails the test on any CSP violation, script error, failed or external request."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

CORPUS = Path(__file__).resolve().parents[1] / "data" / "realformat"


@pytest.mark.browser
def test_village_cadre_maps_unknown_columns_and_imports_a_real_sheet(ui, tmp_path, settings):
    from safestar.disputes.models import Dispute

    settings.VAR_DIR = tmp_path
    name = "11_矛盾纠纷排查登记表（含其他列）.xlsx"
    page = ui.login("village2")
    ui.goto("/ledgers/disputes/import/")
    page.locator("#id_file").set_input_files(str(CORPUS / name))
    page.get_by_role("button", name="上传并检查").click()
    mapping = page.get_by_test_id("import-mapping")
    expect(mapping).to_contain_text("当事人·联系方式")
    expect(mapping.locator("select")).to_have_count(2)
    mapping.get_by_label("调解员").select_option(label="不导入")
    page.get_by_role("button", name="按以上选择检查").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("检查通过：新增 2 行")
    expect(page.get_by_test_id("import-sheets")).to_contain_text("Sheet1")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("导入成功：新增 2 行")).to_be_visible()
    assert Dispute.objects.filter(parties__in=["杨某、冯某", "冯某某"]).count() == 2

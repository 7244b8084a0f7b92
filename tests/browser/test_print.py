"""Printing a scorecard or a list: A4, the content only (no menu, no inputs, no buttons), the table whole."""

import subprocess

import pytest
from playwright.sync_api import expect

from conftest import VILLAGE1, load_scheme, make_record


def _printed(page):
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    visible = page.locator("main input:visible, main select:visible, main textarea:visible, main button:visible, main .btn:visible")
    expect(visible).to_have_count(0)
    pdf = page.pdf(prefer_css_page_size=True)
    return pdf


@pytest.mark.browser
def test_a_printed_list_is_the_table_on_a4_without_menu_or_inputs(ui, tmp_path):
    make_record("cameras", VILLAGE1)
    page = ui.login("village1")
    ui.goto("/ledgers/cameras/")
    pdf = _printed(page)
    expect(page.get_by_test_id("ledger-table")).to_be_visible()
    (tmp_path / "list.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", tmp_path / "list.pdf"], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info, info  # the stylesheet's @page size


@pytest.mark.browser
def test_a_printed_scorecard_keeps_its_table_and_drops_the_scoring_forms(ui):
    scheme = load_scheme()
    page = ui.login("county")
    ui.goto(f"/schemes/{scheme.pk}/villages/{VILLAGE1}/")
    expect(page.locator("main form input[name=points]").first).to_be_visible()  # on screen: the evaluator's manual-score form
    _printed(page)
    expect(page.get_by_test_id("total")).to_be_visible()
    expect(page.locator("main table").first).to_be_visible()

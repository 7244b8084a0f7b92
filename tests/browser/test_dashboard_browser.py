"""The dashboards in a real browser: each campaign-running persona lands on its dashboard after
login and sees figures a test computes independently from the same data; every chart (drawn by
ECharts from the API) shows the numbers of the table beside it and can be saved as an image. The
`ui` fixture fails the test on any CSP violation, script error, failed or external request."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import CHANGGANG, VILLAGE1, make_record


def _chart_data(page, kind):
    chart = page.locator(f'[data-chart="{kind}"]')
    expect(chart).to_have_attribute("data-drawn", "1")
    option = chart.evaluate("element => { const o = echarts.getInstanceByDom(element).getOption();"
                            " return {data: o.series[0].data, save: !!o.toolbox[0].feature.saveAsImage}; }")
    assert option["save"], f"{kind}: no 保存为图片"
    return option["data"]


def _table_values(page, kind):
    return page.locator(f'[data-table="{kind}"] td[data-value]').all_inner_texts()


def _number(text):
    text = text.strip()
    return None if text in ("—", "-", "") else float(text)


def _as_numbers(values):
    return [None if v in ("-", None) else float(v) for v in values]


@pytest.mark.browser
def test_each_campaign_persona_lands_on_its_dashboard_with_figures_and_charts_that_agree(ui):
    from safestar.dashboards.snapshots import take
    from safestar.incidents.models import IncidentKind
    from safestar.org.models import Division
    from safestar.schemes import demo_data as schemes_demo
    from safestar.schemes.engine import PASSED
    from safestar.schemes.models import Scheme
    from safestar.schemes.services import results, villages_under

    schemes_demo.load(2023)  # the shipped schemes (长岗镇's and 睢县's) and the county's manual scores
    make_record("incidents", VILLAGE1, kind=IncidentKind.objects.get(code="criminal_case"), occurred_on=datetime.date(2023, 3, 2), recognised=True)
    take(2023, datetime.date(2023, 11, 30))
    take(2023, datetime.date(2023, 12, 31))
    scheme = Scheme.objects.get(issuer__code=CHANGGANG, year=2023)
    expected = results(scheme, villages_under(Division.objects.get(code=CHANGGANG)))
    passed = sum(1 for r in expected if r.status == PASSED)
    average = round(sum(r.total for r in expected) / len(expected), 1)

    for username in ("town", "taskforce"):
        page = ui.login(username)
        expect(page).to_have_url(ui.url("/dashboard/"))
        expect(page.get_by_test_id("dashboard-title")).to_have_text("长岗镇 2023年创建态势")
        board = page.get_by_test_id("three-zero-board")
        expect(board.locator(".tile")).to_have_count(20)
        expect(board.locator(f'[data-village="{VILLAGE1}"]')).to_contain_text("零案件 1件")
        expect(page.locator('[data-status="达标"]')).to_have_text(str(passed))
        for result in expected:
            expect(board.locator(f'[data-village="{result.code}"] [data-field="total"]')).to_have_text(f"{result.total:g}")

        ranking = _chart_data(page, "ranking")
        assert _as_numbers(ranking) == [_number(v) for v in _table_values(page, "ranking")]
        assert sorted(_as_numbers(ranking)) == sorted(r.total for r in expected)
        assert _chart_data(page, "distribution") == [int(v) for v in _table_values(page, "distribution")]
        assert _as_numbers(_chart_data(page, "trend")) == [float(v) for v in _table_values(page, "trend")]
        assert len(_table_values(page, "trend")) == 2  # the two snapshots taken
        cells = _chart_data(page, "heatmap")
        assert [c[2] for c in cells] == [int(v) for v in _table_values(page, "heatmap")]

    page = ui.login("county")
    expect(page).to_have_url(ui.url("/dashboard/"))
    row = page.get_by_test_id("areas").locator(f'tr[data-code="{CHANGGANG}"]')
    expect(row.locator("td").first).to_have_text("20")
    expect(row.locator("td[data-value]")).to_have_text(f"{average:g}")
    assert _as_numbers(_chart_data(page, "areas")) == [_number(v) for v in _table_values(page, "areas")]
    row.get_by_role("link", name="长岗镇").click()  # drill down to the town's villages
    expect(page.get_by_test_id("three-zero-board").locator(".tile")).to_have_count(20)

    page = ui.login("city")
    expect(page).to_have_url(ui.url("/dashboard/"))
    expect(page.get_by_test_id("dashboard-title")).to_have_text("商丘市 2023年创建态势")
    county = page.get_by_test_id("areas").locator('tr[data-code="411422000000"]')
    expect(county.locator("td").first).to_have_text("25")
    assert _as_numbers(_chart_data(page, "areas")) == [_number(v) for v in _table_values(page, "areas")]
    page.get_by_role("link", name="预测预警").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("商丘市 2023年预测预警")

"""The dashboards in a real browser: each campaign-running persona lands on its dashboard after
login and sees figures a test computes independently from the same data; every chart (drawn by
ECharts from the API) shows the numbers of the table beside it and can be saved as an image. The
`ui` fixture fails the test on any CSP violation, script error, failed or external request."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import CHANGGANG, PINGGANG, VILLAGE1, make_record


def _chart_data(page, kind):
    chart = page.locator(f'[data-chart="{kind}"]')
    expect(chart).to_have_attribute("data-drawn", "1")
    option = chart.evaluate("element => { const o = echarts.getInstanceByDom(element).getOption();"
                            " return {data: o.series[0].data, save: !!o.toolbox[0].feature.saveAsImage}; }")
    assert option["save"], f"{kind}: no 保存为图片"
    return option["data"]


def _table_values(page, kind):
    return page.locator(f'[data-table="{kind}"] td[data-value]').all_inner_texts()


def _all_series(page, kind):
    """The data of every series of a chart (the trend per town has one line per town)."""
    chart = page.locator(f'[data-chart="{kind}"]')
    expect(chart).to_have_attribute("data-drawn", "1")
    return chart.evaluate("element => echarts.getInstanceByDom(element).getOption().series.map(s => ({name: s.name, data: s.data}))")


def _table_rows(page, kind):
    """{row code: [numbers of its data-value cells]} of a table whose rows are divisions."""
    found = {}
    for row in page.locator(f'[data-table="{kind}"] tbody tr').all():
        found[row.get_attribute("data-code")] = [_number(v) for v in row.locator("td[data-value]").all_inner_texts()]
    return found


def _pooled(scheme, town_code, categories):
    """A town's share of points held per category, counted from the scheme's results: Σ awarded / Σ points."""
    from collections import Counter

    from safestar.org.models import Division
    from safestar.schemes.services import results, villages_under

    held, points = Counter(), Counter()
    for result in results(scheme, villages_under(Division.objects.get(code=town_code))):
        for indicator in result.indicators:
            held[indicator.category] += indicator.awarded or 0
            points[indicator.category] += indicator.points
    return [round(100 * held[c] / points[c]) if points[c] else None for c in categories]


def _check_area_charts(page, codes):
    """The county's (city's) heat map and trend per division: every cell and every line equal the table."""
    cells = _chart_data(page, "heatmap")
    heat = _table_rows(page, "heatmap")
    assert list(heat) == codes
    assert _as_numbers([c[2] for c in cells]) == [v for values in heat.values() for v in values]
    lines = _all_series(page, "area-trend")
    trend = _table_rows(page, "area-trend")
    assert list(trend) == codes and len(lines) == len(codes)
    assert [_as_numbers(line["data"]) for line in lines] == list(trend.values())
    return heat, trend


def _number(text):
    text = text.strip()
    return None if text in ("—", "-", "") else float(text)


def _as_numbers(values):
    return [None if v in ("-", None) else float(v) for v in values]


@pytest.mark.browser
def test_each_campaign_persona_lands_on_its_dashboard_with_figures_and_charts_that_agree(ui):
    from safestar.dashboards.models import Snapshot
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
    categories = page.locator('[data-table="heatmap"] thead th').all_inner_texts()[1:]
    heat, trend = _check_area_charts(page, [CHANGGANG, PINGGANG])
    assert heat[CHANGGANG] == _pooled(scheme, CHANGGANG, categories)  # counted independently from the scheme's results
    county_scheme = Scheme.objects.get(issuer__code="411422000000", year=2023)  # 平岗镇's: the county's own
    assert heat[PINGGANG] == _pooled(county_scheme, PINGGANG, categories)
    for code in (CHANGGANG, PINGGANG):
        months = [Snapshot.objects.filter(village__parent__code=code, month=datetime.date(2023, m, 1)) for m in (11, 12)]
        assert trend[code] == [round(sum(s.total for s in stored) / len(stored), 1) for stored in months]
    row.get_by_role("link", name="长岗镇").click()  # drill down to the town's villages
    expect(page.get_by_test_id("three-zero-board").locator(".tile")).to_have_count(20)

    page = ui.login("city")
    expect(page).to_have_url(ui.url("/dashboard/"))
    expect(page.get_by_test_id("dashboard-title")).to_have_text("商丘市 2023年创建态势")
    county = page.get_by_test_id("areas").locator('tr[data-code="411422000000"]')
    expect(county.locator("td").first).to_have_text("25")
    assert _as_numbers(_chart_data(page, "areas")) == [_number(v) for v in _table_values(page, "areas")]
    heat, trend = _check_area_charts(page, ["411422000000", "411423000000"])
    november = Snapshot.objects.filter(village__path__startswith=Division.objects.get(code="411422000000").path, month=datetime.date(2023, 11, 1))
    assert trend["411422000000"][0] == round(sum(s.total for s in november) / len(november), 1) and len(november) == 25
    page.get_by_role("link", name="预测预警").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("商丘市 2023年预测预警")

"""Evaluating real data: set-based facts, recognised incidents and the veto, the two schemes on the
same data, versions and freezing, the pages, the API and the command."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.audit.models import AuditEvent
from safestar.incidents.models import IncidentKind
from safestar.org.models import Division, User
from safestar.schemes.engine import UNDETERMINED, VETOED
from safestar.schemes.models import CachedResult, ManualScore
from safestar.schemes.services import results, save_manual_score, villages_under


def by_code(rows):
    return {r.code: r for r in rows}


def test_the_number_of_queries_does_not_grow_with_the_number_of_villages(world):
    scheme = load_scheme()
    town = Division.objects.get(code=CHANGGANG)
    counts = []
    for villages in (villages_under(town).filter(code__in=[VILLAGE1, VILLAGE2]), villages_under(town)):
        CachedResult.objects.all().delete()  # both computed afresh (a stored result found saves reading the generation)
        with CaptureQueriesContext(connection) as context:
            outcome = results(scheme, villages)
        counts.append(len(context))
        assert len(outcome) == villages.count()
    assert counts[0] == counts[1]


def test_a_recognised_telecom_fraud_vetoes_its_village_and_an_unrecognised_one_does_not(world):
    scheme = load_scheme()
    fraud = IncidentKind.objects.get(code="telecom_fraud")
    make_record("incidents", VILLAGE1, kind=fraud, occurred_on=datetime.date(2023, 4, 1), title="已认定的诈骗", recognised=True)
    make_record("incidents", VILLAGE2, kind=fraud, occurred_on=datetime.date(2023, 4, 1), title="未认定的诈骗", recognised=False)
    rows = by_code(results(scheme, villages_under(Division.objects.get(code=CHANGGANG))))
    assert rows[VILLAGE1].status == VETOED
    assert [i.title for i in rows[VILLAGE1].vetoes[0].incidents] == ["已认定的诈骗"]
    assert rows[VILLAGE2].status != VETOED and not rows[VILLAGE2].vetoes
    assert rows[VILLAGE2].status == UNDETERMINED  # no manual scores yet: fail closed, not 达标


def test_a_recognised_major_incident_of_every_configured_kind_vetoes_under_changgang(world):
    """The plan: 对辖区内发生重大案事件的村，予以一票否决 — whatever the kind, including one an
    administrator adds after the scheme was loaded; a 较大 one of a kind no other veto lists does not."""
    scheme = load_scheme()
    added = IncidentKind.objects.create(code="livestock_theft", name="盗窃耕牛")
    villages = villages_under(Division.objects.get(code=CHANGGANG)).filter(code=VILLAGE1)
    for kind in IncidentKind.objects.all():
        incident = make_record("incidents", VILLAGE1, kind=kind, occurred_on=datetime.date(2023, 5, 1), title=f"重大{kind.name}",
                               severity="major", recognised=True)
        (result,) = results(scheme, villages)
        assert "V7" in [v.code for v in result.vetoes], kind.code
        assert [i.title for v in result.vetoes if v.code == "V7" for i in v.incidents] == [f"重大{kind.name}"]
        assert result.status == VETOED
        incident.delete()
    make_record("incidents", VILLAGE1, kind=added, occurred_on=datetime.date(2023, 5, 1), severity="serious", recognised=True)
    (result,) = results(scheme, villages)
    assert result.vetoes == [] and result.status != VETOED


def test_the_second_scheme_evaluates_the_same_data_differently(world):
    changgang = load_scheme()
    county = load_scheme("411422000000", "schemes/suixian-2023-pingan-village.yaml")
    fraud = IncidentKind.objects.get(code="telecom_fraud")
    make_record("incidents", VILLAGE1, kind=fraud, occurred_on=datetime.date(2023, 4, 1), recognised=True)
    villages = villages_under(Division.objects.get(code=CHANGGANG)).filter(code=VILLAGE1)
    (a,) = results(changgang, villages)
    (b,) = results(county, villages)
    assert a.status == VETOED  # Changgang vetoes any telecom fraud
    assert b.status != VETOED and b.band == ""  # the county vetoes only major ones; no data, no band
    assert a.total != b.total and len(a.indicators) == 48 and len(b.indicators) == 16


def test_manual_scores_complete_the_result_and_freeze_the_scheme(world):
    scheme = load_scheme()
    evaluator = User.objects.get(username="county")
    village = Division.objects.get(code=VILLAGE1)
    for indicator in [i for i in scheme.spec.indicators() if i.rule.type == "manual"]:
        save_manual_score(scheme, village, indicator.code, indicator.points, "", evaluator)
    (result,) = results(scheme, Division.objects.filter(pk=village.pk))
    assert not [r for r in result.undetermined if "人工评分" in r]
    scheme.refresh_from_db()
    assert scheme.frozen_at is not None
    assert AuditEvent.objects.filter(object_type="schemes.manualscore", actor_name="county").count() == 2  # C1.6, C4.5


@pytest.mark.parametrize(
    "code, points, reason, message",
    [("C1.5", 1, "", "不是本方案的人工评分项"), ("C1.6", 2, "", "得分应在 0 到 1 之间"), ("C1.6", 0.5, " ", "扣分时须写明理由")],
)
def test_bad_manual_scores_are_refused(world, code, points, reason, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        save_manual_score(load_scheme(), Division.objects.get(code=VILLAGE1), code, points, reason, User.objects.get(username="county"))
    assert not ManualScore.objects.exists()


def test_reloading_a_used_scheme_makes_a_new_version_and_leaves_the_old_one(world):
    first = load_scheme()
    assert load_scheme(**{"pass_mark: 85": "pass_mark: 80"}).pk == first.pk  # unused: replaced in place
    save_manual_score(first, Division.objects.get(code=VILLAGE1), "C1.6", 1, "", User.objects.get(username="county"))
    second = load_scheme(**{"pass_mark: 85": "pass_mark: 90"})
    assert second.pk != first.pk and second.version == 2
    first.refresh_from_db()
    assert first.spec.pass_mark == 80 and second.spec.pass_mark == 90


def test_scheme_table_and_xlsx(login):
    scheme = load_scheme()
    html = login("village1").get(f"/schemes/{scheme.pk}/").content.decode()
    for heading in ["类别", "指标", "分值", "评分方法", "数据来源", "评分部门"]:
        assert f"<th>{heading}</th>" in html or f'<th class="text-end">{heading}</th>' in html
    assert "监控探头不少于6路并在用" in html and "每差1个单位扣1分" in html
    content = login("town").get(f"/schemes/{scheme.pk}/export.xlsx").content
    from safestar.core.sheets import read_xlsx
    from safestar.schemes.views import EXPORT_COLUMNS

    rows = [r for _, r in read_xlsx(content, EXPORT_COLUMNS)]
    assert len(rows) == 48 + 8 and rows[0]["category"] == "治安防控严密有效"
    assert sum(float(r["points"]) for r in rows if r["points"] != "") == 100


@pytest.mark.parametrize("persona", ["village1", "town", "county"])
def test_the_scheme_table_names_metrics_ledgers_and_incident_kinds_in_chinese(login, persona):
    import re

    from safestar.core.metrics import METRICS

    scheme = load_scheme()
    page = login(persona).get(f"/schemes/{scheme.pk}/")
    html = page.content.decode()
    codes = set(METRICS) | set(IncidentKind.objects.values_list("code", flat=True)) | {"general", "serious", "major"}
    shown = set(re.findall(r"[a-z_]+(?:\.[a-z_]+)?", " ".join(row["method"] for row in page.context["rows"])))
    assert not shown & codes
    vetoes = re.search(r'data-testid="vetoes">(.*?)</ul>', html, re.S).group(1)
    assert not set(re.findall(r"[a-z_]+", vetoes)) & codes
    assert "电信诈骗" in vetoes
    assert "“落实一村一警民警”" in html
    export = login(persona).get(f"/schemes/{scheme.pk}/export.xlsx").content
    from safestar.core.sheets import read_xlsx
    from safestar.schemes.views import EXPORT_COLUMNS

    methods = " ".join(r["method"] for _, r in read_xlsx(export, EXPORT_COLUMNS))
    assert not set(re.findall(r"[a-z_]+(?:\.[a-z_]+)?", methods)) & codes


def test_town_ranking_and_village_scorecard(login):
    scheme = load_scheme()
    page = login("town").get(f"/schemes/{scheme.pk}/results/")
    assert [r.code for r in page.context["results"]] == sorted(r.code for r in page.context["results"]) or len(page.context["results"]) == 20
    assert len(page.context["results"]) == 20
    card = login("village1").get(f"/schemes/{scheme.pk}/villages/{VILLAGE1}/").content.decode()
    assert "在用监控探头路数为0路，要求不少于 6路" in card and "人工评分项尚未评分" in card
    assert login("village1").get(f"/schemes/{scheme.pk}/results/").context["results"][0].code == VILLAGE1
    assert login("police").get(f"/schemes/{scheme.pk}/results/").status_code == 404  # no evaluation field


def test_the_county_reads_a_town_scheme_for_that_towns_villages_only(login, api):
    scheme = load_scheme()  # issued by 长岗镇
    page = login("county").get(f"/schemes/{scheme.pk}/results/")
    changgang = set(Division.objects.filter(parent__code=CHANGGANG, level="village").values_list("code", flat=True))
    assert page.context["division"].code == CHANGGANG
    assert {r.code for r in page.context["results"]} == changgang
    asked = login("county").get(f"/schemes/{scheme.pk}/results/", {"division": "411422000000"})  # the whole county, asked for
    assert {r.code for r in asked.context["results"]} == changgang
    assert "平岗" not in asked.content.decode()
    assert login("county").get(f"/schemes/{scheme.pk}/results/", {"division": PINGGANG}).context["results"] == []
    body = api("county")(f"/evaluations/2023/?division=411422000000&scheme={scheme.pk}").json()
    assert {r["village"] for r in body["results"]} == changgang


def test_the_evaluator_scores_a_manual_indicator_on_the_scorecard(login):
    scheme = load_scheme()
    url = f"/schemes/{scheme.pk}/villages/{VILLAGE1}/"
    assert "data-testid=\"manual-C1.6\"" in login("county").get(url).content.decode()
    assert "data-testid=\"manual-C1.6\"" not in login("town").get(url).content.decode()
    assert login("town").post(url, {"indicator": "C1.6", "points": "1"}).status_code == 404
    response = login("county").post(url, {"indicator": "C1.6", "points": "0.5", "reason": "线索台账不全"}, follow=True)
    assert "已保存人工评分" in response.content.decode()
    assert ManualScore.objects.get().reason == "线索台账不全"


def test_the_village_page_shows_the_live_scorecard(login):
    load_scheme()
    html = login("village1").get(f"/divisions/{VILLAGE1}/").content.decode()
    assert "创建评分（如果今天就是年底）" in html and "2023年 平安法治星" in html


def test_the_api_gives_the_same_results_within_the_callers_scope(api):
    scheme = load_scheme()
    body = api("town")(f"/evaluations/2023/?division={CHANGGANG}").json()
    assert body["scheme"] == scheme.pk and len(body["results"]) == 20
    mine = api("village1")(f"/evaluations/2023/?division={VILLAGE1}").json()
    assert [r["village"] for r in mine["results"]] == [VILLAGE1]
    assert api("village1")(f"/evaluations/2023/?division={CHANGGANG}").status_code == 404
    assert api("town2")(f"/evaluations/2023/?division={PINGGANG}").status_code == 404  # no scheme for 平岗镇
    assert api("town")(f"/evaluations/2022/?division={CHANGGANG}").status_code == 404


def test_the_command_prints_json_for_every_village(world):
    load_scheme()
    out = io.StringIO()
    call_command("evaluate", "--year", "2023", "--division", CHANGGANG, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data) == 20 and {r["status"] for r in data} == {UNDETERMINED}
    camera = next(i for i in data[0]["indicators"] if i["code"] == "C1.5")
    assert camera["awarded"] == 0 and "要求不少于 6路" in camera["reason"]

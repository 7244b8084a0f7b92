"""Rule kinds are one registry: every registered kind goes through every stage (the validator, the
facts, the engine, the scheme table), a kind with a missing part cannot be registered, and a new
kind needs nothing but its class (registered here, scored end to end on the demo data)."""

import datetime

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from conftest import CHANGGANG, VILLAGE1, make_record
from safestar.org.models import Division
from safestar.schemes.engine import UNDETERMINED
from safestar.schemes.facts import gather, needs
from safestar.schemes.kinds import KINDS, RuleKind, Scorer, describe_rule, kind_of, manual_codes, register
from safestar.schemes.loading import context, load
from safestar.schemes.services import as_json, results, villages_under
from safestar.schemes.spec import Rule, Spec
from safestar.schemes.validate import SchemeError, parse


def scheme_text(rule, name="规则类别测试方案"):
    """A one-indicator scheme (plus a manual filler to 100) around `rule`, as a scheme file says it."""
    return yaml.safe_dump({
        "name": name, "star": "平安法治星", "year": 2023, "issuer": CHANGGANG, "total": 100, "pass_mark": 60,
        "categories": [{"code": "C1", "title": "测试类别", "indicators": [
            {"code": "C1.1", "title": "被测指标", "points": 10, "rule": rule},
            {"code": "C1.2", "title": "其余", "points": 90, "rule": {"type": "manual"}},
        ]}],
        "vetoes": [],
    }, allow_unicode=True)


def test_the_shipped_kinds_are_registered_in_the_order_the_validator_lists_them():
    assert list(KINDS) == ["manual", "threshold", "records", "zero_incidents"]
    assert {k.label for k in KINDS.values()} == {"人工评分", "指标达标", "台账记录", "零发案"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_goes_through_every_stage(world, kind):
    # parse and validate: the kind's example is a valid rule, read back as the same kind
    spec = parse(scheme_text(KINDS[kind].example), "k.yaml", context())
    indicator = spec.indicators()[0]
    assert kind_of(indicator.rule) is KINDS[kind]
    assert Spec.from_json(spec.to_json()) == spec  # stored and read back unchanged
    # the scheme table reads it in Chinese
    method = describe_rule(indicator.rule, indicator.points)
    assert method != kind and "10" in method
    # the facts it needs are gathered, each with a query
    need = needs(spec)
    facts = gather(spec, 2023, villages_under(Division.objects.get(code=CHANGGANG)))
    assert need.metrics <= set(facts.metrics) and need.records <= set(facts.records)
    # scored over the whole town, with the set-wide pass and one by one alike
    scheme, _ = load(scheme_text(KINDS[kind].example), "k.yaml")
    ranked = results(scheme, villages_under(Division.objects.get(code=CHANGGANG)))
    assert len(ranked) == 20
    for result in ranked:
        tested = as_json(result)["indicators"][0]
        assert tested["code"] == "C1.1" and tested["target"]
        if tested["awarded"] is None:
            assert tested["reason"]  # 待定 always says why
        else:
            assert 0 <= tested["awarded"] <= 10
            assert (tested["reason"] == "") == (tested["awarded"] == 10) or KINDS[kind].manual
    assert (indicator.code in manual_codes(spec)) == KINDS[kind].manual


def test_an_unknown_kind_is_refused_listing_the_registered_ones(db):
    with pytest.raises(SchemeError, match="未知的评分方法“guess”，可用：manual、threshold、records、zero_incidents"):
        parse(scheme_text({"type": "guess"}), "k.yaml", context())


def test_a_stored_rule_of_an_unregistered_kind_makes_the_village_undetermined_never_passed(world):
    scheme, _ = load(scheme_text({"type": "threshold", "metric": "security.patrols", "op": ">=", "value": 0}), "k.yaml")
    content = scheme.content
    content["categories"][0]["indicators"][0]["rule"]["type"] = "retired"
    scheme.content = content
    scheme.save()
    scheme.refresh_from_db()
    (result,) = results(scheme, Division.objects.filter(code=VILLAGE1), manual={})
    assert result.status == UNDETERMINED
    assert "C1.1 被测指标：无法识别的评分方法“retired”" in result.undetermined
    assert describe_rule(scheme.spec.indicators()[0].rule, 10) == "retired"


class _Complete(RuleKind):
    type, label, example = "complete", "完整", {"type": "complete"}

    class scorer(Scorer):  # noqa: N801
        def full_marks(self, ids):
            return [True] * len(ids)

        def score(self, village, explain=True):
            return self.points, None, ""

        def measured(self, raw):
            return ""

    def parse(self, check, data, path, deduct):
        return Rule("complete")

    def needs(self, rule, needs):
        pass

    def describe(self, rule, points, names):
        return "完整"


@pytest.mark.parametrize("missing", ["parse", "needs", "describe", "scorer.full_marks", "scorer.score", "scorer.measured", "label", "example"])
def test_a_kind_with_a_missing_part_cannot_be_registered(missing):
    if missing.startswith("scorer."):
        scorer = type("Partial", (Scorer,), {k: v for k, v in vars(_Complete.scorer).items() if k != missing[7:]})
        kind = type("Partial", (_Complete,), {"scorer": scorer})
    elif missing in ("label", "example"):
        kind = type("Partial", (_Complete,), {missing: None})
    else:
        kind = type("Partial", (RuleKind,), {k: v for k, v in vars(_Complete).items() if k != missing})
    with pytest.raises(ImproperlyConfigured, match=f"lacks {missing}"):
        register(kind)
    assert "complete" not in KINDS


@pytest.fixture
def positive_kind():
    """A throw-away kind, 有即得分 (full points when a metric is above 0), added through the registry alone."""

    class PositiveScorer(Scorer):
        def __init__(self, indicator, facts, manual):
            super().__init__(indicator, facts, manual)
            self.label = facts.metric_info[self.rule.metric][0]
            self.values = facts.metrics[self.rule.metric]
            self.target = "大于0"

        def full_marks(self, ids):
            return [self.values.get(v, 0) > 0 for v in ids]

        def score(self, village, explain=True):
            value = self.values.get(village, 0)
            return (self.points, value, "") if value > 0 else (0, value, f"{self.label}为0，不得分" if explain else "")

        def measured(self, raw):
            return f"{raw:g}"

    @register
    class Positive(RuleKind):
        type, label, example = "positive", "有即得分", {"type": "positive", "metric": "security.has_police_officer"}
        scorer = PositiveScorer

        def parse(self, check, data, path, deduct):
            metric = check.get(data, "metric", path, "str")
            if metric and metric not in check.context.metrics:
                check.error(path + ("metric",), f"未知的指标“{metric}”")
            return Rule("positive", metric=metric)

        def needs(self, rule, needs):
            needs.metrics.add(rule.metric)

        def describe(self, rule, points, names):
            return f"“{names.metric(rule.metric)}”大于0得{points:g}分"

    yield Positive
    del KINDS["positive"]


def test_a_new_kind_needs_only_its_registration(world, positive_kind):
    text = scheme_text(positive_kind.example, name="有即得分方案")
    with pytest.raises(SchemeError, match="未知的指标“security.nope”"):
        parse(scheme_text({"type": "positive", "metric": "security.nope"}), "k.yaml", context())
    profile = make_record("security-profiles", VILLAGE1)  # names the village's officer
    type(profile).objects.filter(pk=profile.pk).update(created_at=datetime.datetime(2023, 3, 1, tzinfo=datetime.UTC))
    scheme, _ = load(text, "k.yaml")
    assert describe_rule(scheme.spec.indicators()[0].rule, 10) == "“落实一村一警民警”大于0得10分"
    rows = {r.name: as_json(r)["indicators"][0] for r in results(scheme, villages_under(Division.objects.get(code=CHANGGANG)))}
    assert rows["长岗村"] == {"code": "C1.1", "title": "被测指标", "category": "测试类别", "points": 10, "awarded": 10,
                             "measured": "1", "target": "大于0", "reason": ""}
    assert rows["吴庄村"]["awarded"] == 0 and rows["吴庄村"]["reason"] == "落实一村一警民警为0，不得分"

"""零发案: full points when no recognised incident of the listed kinds (and severities) occurred in
the year, none as soon as one did, naming it."""

from ..spec import Rule
from .base import RuleKind, Scorer, describe_incidents, matching, register


class ZeroIncidentsScorer(Scorer):
    target = "0件"

    def full_marks(self, ids):
        incidents = self.facts.incidents
        if incidents is None:
            return [False] * len(ids)
        return [v not in incidents for v in ids]

    def score(self, village, explain=True):
        rule = self.rule
        if self.facts.incidents is None:
            return None, None, "案事件数据不可用，无法评分"
        hits = matching(self.facts.incidents.get(village, ()), rule.kinds, rule.severities)
        if not hits:
            return self.points, 0, ""
        return 0, len(hits), f"发生经认定的案事件{len(hits)}件：{describe_incidents(hits)}" if explain else ""

    def measured(self, raw):
        return f"{raw}件" if raw is not None else ""


@register
class ZeroIncidents(RuleKind):
    type = "zero_incidents"
    label = "零发案"
    example = {"type": "zero_incidents", "kinds": ["telecom_fraud"], "severities": ["major"]}
    scorer = ZeroIncidentsScorer
    recounted = True  # the county recognises incidents after a village submits, later too

    def parse(self, check, data, path, deduct):
        kinds, severities = check.incident_kinds(data, path)
        return Rule("zero_incidents", kinds=kinds, severities=severities)

    def needs(self, rule, needs):
        needs.incident_kinds.update(rule.kinds)

    def would_cost(self, rule, incident):
        return bool(matching([incident], rule.kinds, rule.severities))

    def describe(self, rule, points):
        sev = f"（严重程度：{'、'.join(rule.severities)}）" if rule.severities else ""
        return f"年度内无经认定的 {'、'.join(rule.kinds)}{sev} 案事件得{points:g}分，发生即不得分"

"""台账记录: how many records a ledger (of one kind) has in the year, or whether there is one in the
year's last N days."""

import datetime

from ..spec import Rule
from .base import RuleKind, Scorer, register
from safestar.core.numbers import figure


class RecordsScorer(Scorer):
    def __init__(self, indicator, facts, manual):
        super().__init__(indicator, facts, manual)
        rule = self.rule
        self.stats = facts.records.get((rule.ledger, rule.kind))
        self.what = facts.record_labels.get((rule.ledger, rule.kind)) or f"“{rule.ledger}”台账" + (f"（{rule.kind}）" if rule.kind else "")
        if rule.within_days:
            self.start = datetime.date(facts.year, 12, 31) - datetime.timedelta(days=rule.within_days - 1)
            self.target = f"{self.start:%m月%d日}以后至少1条"
        else:
            self.target = f"不少于{figure(rule.min or 1)}条"

    def full_marks(self, ids):
        if self.stats is None or self.rule.within_days:
            return [False] * len(ids)
        get, low, none = self.stats.get, self.rule.min or 1, (0, None)
        return [get(v, none)[0] >= low for v in ids]

    def score(self, village, explain=True):
        rule, what = self.rule, self.what
        if self.stats is None:
            return None, None, f"{what}记录未能统计"
        count, last = self.stats.get(village, (0, None))
        if rule.within_days:
            if last is not None and last >= self.start:
                return self.points, last, ""
            seen = f"最近一条：{last:%Y-%m-%d}" if last else "全年无记录"
            return 0, last, f"{what}在年度最后{rule.within_days}天内没有记录（{seen}），不得分" if explain else ""
        low = rule.min or 1
        if count >= low:
            return self.points, count, ""
        if rule.deduct:
            awarded = max(0.0, self.points - rule.deduct * (low - count))
            return awarded, count, (f"{what}年度内只有{count}条，要求不少于{figure(low)}条，每少1条扣{figure(rule.deduct)}分，"
                                    f"扣{figure(self.points - awarded)}分") if explain else ""
        return 0, count, f"{what}年度内只有{count}条，要求不少于{figure(low)}条，不得分" if explain else ""

    def measured(self, raw):
        if self.rule.within_days:
            return f"最近一条：{raw:%Y-%m-%d}" if raw else ("全年无记录" if self.stats is not None else "")
        return f"{raw}条" if self.stats is not None else ""


@register
class Records(RuleKind):
    type = "records"
    label = "台账记录"
    example = {"type": "records", "ledger": "patrols", "min": 24, "deduct": 0.25}
    scorer = RecordsScorer

    def parse(self, check, data, path, deduct):
        ledgers = check.context.ledgers
        ledger = check.get(data, "ledger", path, "str")
        if ledger and ledger not in ledgers:
            check.error(path + ("ledger",), f"未知的台账“{ledger}”")
        record_kind = check.get(data, "kind", path, "str", required=False)
        if ledger in ledgers and record_kind is not None and record_kind not in ledgers[ledger]:
            known = "、".join(sorted(ledgers[ledger])) or "（该台账没有类别）"
            check.error(path + ("kind",), f"台账“{ledger}”没有类别“{record_kind}”，可用：{known}")
        low = check.get(data, "min", path, "number", required=False, default=1)
        within = check.get(data, "within_days", path, "int", required=False)
        if low is not None and low < 1:
            check.error(path + ("min",), f"记录条数下限应至少为1，实际为 {low}")
        if within is not None and not 1 <= within <= 366:
            check.error(path + ("within_days",), f"天数应在 1 到 366 之间，实际为 {within}")
        return Rule("records", ledger=ledger, kind=record_kind, min=low, within_days=within, deduct=deduct)

    def needs(self, rule, needs):
        needs.records.add((rule.ledger, rule.kind))

    def describe(self, rule, points, names):
        p = f"{figure(points)}"
        what = f"“{names.ledger(rule.ledger)}”" + (f"中类别为“{names.ledger_kind(rule.ledger, rule.kind)}”的" if rule.kind else "")
        if rule.within_days:
            return f"{what}在年度最后{rule.within_days}天内至少有1条记录得{p}分，否则不得分"
        text = f"{what}年度内记录不少于{figure(rule.min or 1)}条得{p}分"
        return text + (f"，每少1条扣{figure(rule.deduct)}分" if rule.deduct else "，否则不得分")

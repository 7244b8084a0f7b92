"""The scoring engine: a pure function of (scheme, facts, manual scores) → one result per village,
with an explanation for every point lost and every veto hit. No database access: facts.py gathers
the facts with a fixed number of set-based queries.

Fail closed: when a fact a veto or an indicator needs is missing, or a rule cannot be applied, the
village is 待定 (undetermined) with the reason, never 达标.
"""

import datetime
import math
from dataclasses import dataclass, field

from .spec import OPS

PASSED, FAILED, VETOED, UNDETERMINED = "达标", "未达标", "否决", "待定"
EPSILON = 1e-9


@dataclass(frozen=True)
class IncidentFact:
    id: int
    kind: str  # kind code
    kind_name: str
    severity: str
    title: str
    date: datetime.date


@dataclass
class Facts:
    year: int
    metrics: dict = field(default_factory=dict)  # metric → {village id: value}; missing key: not gathered
    metric_info: dict = field(default_factory=dict)  # metric → (label, unit, absent_as_zero)
    records: dict = field(default_factory=dict)  # (ledger, kind or None) → {village id: (count, last date)}
    record_labels: dict = field(default_factory=dict)  # (ledger, kind or None) → how a person names it
    incidents: dict | None = None  # village id → [IncidentFact] (recognised, in the year); None: unavailable


@dataclass
class IndicatorResult:
    category: str
    code: str
    title: str
    points: float
    awarded: float | None  # None: undetermined
    measured: str = ""
    target: str = ""
    reason: str = ""  # why points were lost, or why it is undetermined

    @property
    def lost(self):
        return self.points - (self.awarded or 0)


@dataclass
class VetoHit:
    code: str
    title: str
    incidents: list


@dataclass
class VillageResult:
    village: int
    code: str
    name: str
    total: float
    status: str
    band: str = ""
    indicators: list = field(default_factory=list)
    vetoes: list = field(default_factory=list)
    undetermined: list = field(default_factory=list)  # reasons
    rank: int | None = None

    def main_losses(self, n=3):
        """The indicators that lost the most points (undetermined ones are listed as such instead)."""
        lost = sorted((i for i in self.indicators if i.awarded is not None and i.lost > EPSILON), key=lambda i: -i.lost)
        return lost[:n]


def _fmt(value, unit=""):
    if value is None:
        return "无数据"
    return f"{value:g}{unit}" if isinstance(value, (int, float)) else str(value)


def _threshold(indicator, village, facts):
    rule = indicator.rule
    label, unit, absent_as_zero = facts.metric_info.get(rule.metric, (rule.metric, "", True))
    values = facts.metrics.get(rule.metric)
    if rule.op == "between":
        target = f"{rule.min:g}–{rule.max:g}{unit}"
    else:
        target = f"{OPS[rule.op]} {rule.value:g}{unit}"
    if values is None:
        return None, "", target, f"指标“{label}”未能计算"
    value = values.get(village, 0 if absent_as_zero else None)
    if value is None:
        if rule.if_missing == "zero":
            return 0, "无数据", target, f"{label}无数据，按规则不得分"
        if rule.if_missing == "full":
            return indicator.points, "无数据", target, ""
        return None, "无数据", target, f"{label}无数据，无法评分"
    if rule.op == ">=":
        short = rule.value - value
    elif rule.op == "<=":
        short = value - rule.value
    elif rule.op == "==":
        short = 0 if abs(value - rule.value) < EPSILON else abs(value - rule.value)
    else:
        short = 0 if rule.min - EPSILON <= value <= rule.max + EPSILON else 1
    measured = _fmt(value, unit)
    if short <= EPSILON:
        return indicator.points, measured, target, ""
    if rule.deduct:
        units = math.ceil(short - EPSILON)
        awarded = max(0.0, indicator.points - rule.deduct * units)
        return awarded, measured, target, f"{label}为{measured}，要求{target}，差{_fmt(short, unit)}，每差1扣{rule.deduct:g}分，扣{indicator.points - awarded:g}分"
    return 0, measured, target, f"{label}为{measured}，未达到要求（{target}），不得分"


def _records(indicator, village, facts):
    rule = indicator.rule
    stats = facts.records.get((rule.ledger, rule.kind))
    what = facts.record_labels.get((rule.ledger, rule.kind)) or f"“{rule.ledger}”台账" + (f"（{rule.kind}）" if rule.kind else "")
    if stats is None:
        return None, "", "", f"{what}记录未能统计"
    count, last = stats.get(village, (0, None))
    if rule.within_days:
        start = datetime.date(facts.year, 12, 31) - datetime.timedelta(days=rule.within_days - 1)
        target = f"{start:%m月%d日}以后至少1条"
        measured = f"最近一条：{last:%Y-%m-%d}" if last else "全年无记录"
        if last is not None and last >= start:
            return indicator.points, measured, target, ""
        return 0, measured, target, f"{what}在年度最后{rule.within_days}天内没有记录（{measured}），不得分"
    low = rule.min or 1
    target, measured = f"不少于{low:g}条", f"{count}条"
    if count >= low:
        return indicator.points, measured, target, ""
    if rule.deduct:
        awarded = max(0.0, indicator.points - rule.deduct * (low - count))
        return awarded, measured, target, f"{what}年度内只有{count}条，要求不少于{low:g}条，每少1条扣{rule.deduct:g}分，扣{indicator.points - awarded:g}分"
    return 0, measured, target, f"{what}年度内只有{count}条，要求不少于{low:g}条，不得分"


def _matching(incidents, kinds, severities):
    return [i for i in incidents if i.kind in kinds and (not severities or i.severity in severities)]


def _describe(incidents):
    return "；".join(f"{i.date:%Y-%m-%d} {i.kind_name}：{i.title}" for i in incidents)


def _zero(indicator, village, facts):
    rule = indicator.rule
    if facts.incidents is None:
        return None, "", "0件", "案事件数据不可用，无法评分"
    hits = _matching(facts.incidents.get(village, []), rule.kinds, rule.severities)
    if not hits:
        return indicator.points, "0件", "0件", ""
    return 0, f"{len(hits)}件", "0件", f"发生经认定的案事件{len(hits)}件：{_describe(hits)}"


def _manual(indicator, village, manual):
    given = manual.get((village, indicator.code))
    if given is None:
        return None, "", f"0–{indicator.points:g}分", "人工评分项尚未评分"
    points, reason = given
    if not 0 <= points <= indicator.points:
        return None, f"{points:g}分", f"0–{indicator.points:g}分", f"人工评分 {points:g} 超出 0–{indicator.points:g} 的范围"
    lost = f"评查意见：{reason}" if points < indicator.points else ""
    return points, f"{points:g}分", f"0–{indicator.points:g}分", lost


def evaluate(spec, facts, villages, manual=None):
    """villages: [(id, code, name)]; manual: {(village id, indicator code): (points, reason)}."""
    manual = manual or {}
    results = []
    for village, code, name in villages:
        result = VillageResult(village, code, name, 0, UNDETERMINED)
        for category in spec.categories:
            for indicator in category.indicators:
                rule_type = indicator.rule.type
                if rule_type == "manual":
                    outcome = _manual(indicator, village, manual)
                elif rule_type == "threshold":
                    outcome = _threshold(indicator, village, facts)
                elif rule_type == "records":
                    outcome = _records(indicator, village, facts)
                elif rule_type == "zero_incidents":
                    outcome = _zero(indicator, village, facts)
                else:
                    outcome = (None, "", "", f"无法识别的评分方法“{rule_type}”")
                awarded, measured, target, reason = outcome
                result.indicators.append(IndicatorResult(category.title, indicator.code, indicator.title, indicator.points, awarded, measured, target, reason))
                if awarded is None:
                    result.undetermined.append(f"{indicator.code} {indicator.title}：{reason}")
        if facts.incidents is None and spec.vetoes:
            result.undetermined.append("案事件数据不可用，无法核查否决事项")
        else:
            for veto in spec.vetoes:
                hits = _matching((facts.incidents or {}).get(village, []), veto.kinds, veto.severities)
                if hits:
                    result.vetoes.append(VetoHit(veto.code, veto.title, hits))
        result.total = round(sum(i.awarded or 0 for i in result.indicators), 2)
        result.status, result.band = _status(spec, result)
        results.append(result)
    return results


def _status(spec, result):
    if result.vetoes:
        return VETOED, ""
    if result.undetermined:
        return UNDETERMINED, ""
    band = next((b.name for b in spec.bands if result.total >= b.min - EPSILON), "")
    if spec.pass_mark is not None:
        return (PASSED if result.total >= spec.pass_mark - EPSILON else FAILED), band
    return (PASSED if band else FAILED), band


def rank(results):
    """Rank by total, highest first; vetoed and undetermined villages come last, unranked."""
    ranked = sorted(results, key=lambda r: (r.status in (VETOED, UNDETERMINED), -r.total, r.code))
    position = 0
    previous = None
    for index, result in enumerate(ranked, start=1):
        if result.status in (VETOED, UNDETERMINED):
            result.rank = None
            continue
        if result.total != previous:
            position, previous = index, result.total
        result.rank = position
    return ranked

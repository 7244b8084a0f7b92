"""The scoring engine: a pure function of (scheme, facts, manual scores) → one result per village,
with an explanation for every point lost and every veto hit. No database access: facts.py gathers
the facts with a fixed number of set-based queries.

Fail closed: when a fact a veto or an indicator needs is missing, or a rule cannot be applied, the
village is 待定 (undetermined) with the reason, never 达标.
"""

import datetime
import functools
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
    vetoes: list = field(default_factory=list)
    undetermined: list = field(default_factory=list)  # reasons
    rank: int | None = None
    # The prepared indicators: IndicatorResult objects are built only for the villages somebody looks
    # at (a province has 50 000 villages × 48 indicators).
    scorers: list = field(default_factory=list, repr=False)

    @functools.cached_property
    def indicators(self):
        return [s.result(*s.score(self.village)) for s in self.scorers]

    def main_losses(self, n=3):
        """The indicators that lost the most points (undetermined ones are listed as such instead)."""
        lost = sorted((i for i in self.indicators if i.awarded is not None and i.lost > EPSILON), key=lambda i: -i.lost)
        return lost[:n]


def _fmt(value, unit=""):
    if value is None:
        return "无数据"
    return f"{value:g}{unit}" if isinstance(value, (int, float)) else str(value)


class _Scorer:
    """One indicator, prepared once per evaluation: `score(village)` gives (awarded or None, raw
    measured value, reason); the strings a person reads are only made when a result is shown or
    points are lost."""

    def __init__(self, category, indicator, facts, manual, given=None):
        self.category, self.indicator, self.facts, self.manual = category, indicator, facts, manual
        self.points = indicator.points
        rule = indicator.rule
        self.score = getattr(self, f"_{rule.type}", self._unknown)
        # Points a person gave for a computed indicator (an evaluation round's proposal as
        # submitted, a town or county adjustment): {village: (points, reason)}; they replace the
        # computed award, the measured value is still shown.
        self.given = given or {}
        if self.given:
            self.computed, self.score = self.score, self._given
        self.target, self.unit = "", ""
        if rule.type == "threshold":
            self.label, self.unit, absent_as_zero = facts.metric_info.get(rule.metric, (rule.metric, "", True))
            self.values = facts.metrics.get(rule.metric)
            self.absent = 0 if absent_as_zero else None
            self.target = f"{rule.min:g}–{rule.max:g}{self.unit}" if rule.op == "between" else f"{OPS[rule.op]} {rule.value:g}{self.unit}"
        elif rule.type == "records":
            self.stats = facts.records.get((rule.ledger, rule.kind))
            self.what = facts.record_labels.get((rule.ledger, rule.kind)) or f"“{rule.ledger}”台账" + (f"（{rule.kind}）" if rule.kind else "")
            if rule.within_days:
                self.start = datetime.date(facts.year, 12, 31) - datetime.timedelta(days=rule.within_days - 1)
                self.target = f"{self.start:%m月%d日}以后至少1条"
            else:
                self.target = f"不少于{rule.min or 1:g}条"
        elif rule.type == "zero_incidents":
            self.target = "0件"
        elif rule.type == "manual":
            self.target = f"0–{self.points:g}分"

    def full_marks(self, ids):
        """For each village, whether it surely gets full points: a quick, set-wide first pass; the
        other villages go through `score` one by one."""
        full = self._full_marks(ids)
        if self.given:
            full = [f and v not in self.given for v, f in zip(ids, full)]
        return full

    def _given(self, village, explain=True):
        given = self.given.get(village)
        if given is None:
            return self.computed(village, explain)
        points, reason = given
        raw = self.computed(village, False)[1]
        if points is None or not 0 <= points <= self.points + EPSILON:
            return None, raw, f"给定得分 {points} 超出 0–{self.points:g} 的范围"
        return points, raw, (reason if explain and points < self.points - EPSILON else "")

    def _full_marks(self, ids):
        rule = self.indicator.rule
        kind = rule.type
        if kind == "threshold" and self.values is not None and rule.op in (">=", "<="):
            get, absent = self.values.get, self.absent
            if rule.op == ">=":
                low = rule.value - EPSILON
                return [(x := get(v, absent)) is not None and x >= low for v in ids]
            high = rule.value + EPSILON
            return [(x := get(v, absent)) is not None and x <= high for v in ids]
        if kind == "records" and self.stats is not None and not rule.within_days:
            get, low, none = self.stats.get, rule.min or 1, (0, None)
            return [get(v, none)[0] >= low for v in ids]
        if kind == "zero_incidents" and self.facts.incidents is not None:
            incidents = self.facts.incidents
            return [v not in incidents for v in ids]
        if kind == "manual":
            get, code, points = self.manual.get, self.indicator.code, self.points
            return [(g := get((v, code))) is not None and g[0] == points for v in ids]
        return [False] * len(ids)

    def result(self, awarded, raw, reason):
        rule = self.indicator.rule
        if rule.type == "records" and rule.within_days:
            measured = f"最近一条：{raw:%Y-%m-%d}" if raw else ("全年无记录" if self.stats is not None else "")
        elif rule.type == "records":
            measured = f"{raw}条" if self.stats is not None else ""
        elif rule.type == "zero_incidents":
            measured = f"{raw}件" if raw is not None else ""
        elif rule.type == "manual":
            measured = f"{raw:g}分" if raw is not None else ""
        else:
            measured = _fmt(raw, self.unit) if self.values is not None else ""
        return IndicatorResult(self.category, self.indicator.code, self.indicator.title, self.points, awarded, measured, self.target, reason)

    def _threshold(self, village, explain=True):
        rule, values = self.indicator.rule, self.values
        if values is None:
            return None, None, f"指标“{self.label}”未能计算"
        value = values.get(village, self.absent)
        if value is None:
            if rule.if_missing == "zero":
                return 0, None, f"{self.label}无数据，按规则不得分"
            if rule.if_missing == "full":
                return self.points, None, ""
            return None, None, f"{self.label}无数据，无法评分"
        op = rule.op
        if op == ">=":
            short = rule.value - value
        elif op == "<=":
            short = value - rule.value
        elif op == "==":
            short = 0 if abs(value - rule.value) < EPSILON else abs(value - rule.value)
        else:
            short = 0 if rule.min - EPSILON <= value <= rule.max + EPSILON else 1
        if short <= EPSILON:
            return self.points, value, ""
        measured = _fmt(value, self.unit) if explain else ""
        if rule.deduct:
            awarded = max(0.0, self.points - rule.deduct * math.ceil(short - EPSILON))
            return awarded, value, (f"{self.label}为{measured}，要求{self.target}，差{_fmt(short, self.unit)}，"
                                    f"每差1扣{rule.deduct:g}分，扣{self.points - awarded:g}分") if explain else ""
        return 0, value, f"{self.label}为{measured}，未达到要求（{self.target}），不得分" if explain else ""

    def _records(self, village, explain=True):
        rule, what = self.indicator.rule, self.what
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
            return awarded, count, (f"{what}年度内只有{count}条，要求不少于{low:g}条，每少1条扣{rule.deduct:g}分，"
                                    f"扣{self.points - awarded:g}分") if explain else ""
        return 0, count, f"{what}年度内只有{count}条，要求不少于{low:g}条，不得分" if explain else ""

    def _zero_incidents(self, village, explain=True):
        rule = self.indicator.rule
        if self.facts.incidents is None:
            return None, None, "案事件数据不可用，无法评分"
        hits = _matching(self.facts.incidents.get(village, ()), rule.kinds, rule.severities)
        if not hits:
            return self.points, 0, ""
        return 0, len(hits), f"发生经认定的案事件{len(hits)}件：{_describe(hits)}" if explain else ""

    def _manual(self, village, explain=True):
        given = self.manual.get((village, self.indicator.code))
        if given is None:
            return None, None, "人工评分项尚未评分"
        points, reason = given
        if not 0 <= points <= self.points:
            return None, points, f"人工评分 {points:g} 超出 0–{self.points:g} 的范围"
        return points, points, (f"评查意见：{reason}" if points < self.points and explain else "")

    def _unknown(self, village, explain=True):
        return None, None, f"无法识别的评分方法“{self.indicator.rule.type}”"


def _matching(incidents, kinds, severities):
    return [i for i in incidents if i.kind in kinds and (not severities or i.severity in severities)]


def _describe(incidents):
    return "；".join(f"{i.date:%Y-%m-%d} {i.kind_name}：{i.title}" for i in incidents)


def evaluate(spec, facts, villages, manual=None):
    """villages: [(id, code, name)]; manual: {(village id, indicator code): (points, reason)}: the
    points a person gave. For a manual indicator they are its score; for a computed indicator they
    replace the computed award (an evaluation round feeds its adjusted points this way).

    Indicator by indicator over all villages: a quick pass finds the villages with full points,
    the rest are scored one by one with their explanation."""
    manual = manual or {}
    given = {}
    computed = {i.code for i in spec.indicators() if i.rule.type != "manual"}
    for (village, code), value in manual.items():
        if code in computed:
            given.setdefault(code, {})[village] = value
    scorers = [_Scorer(c.title, i, facts, manual, given.get(i.code)) for c in spec.categories for i in c.indicators]
    ids = [village for village, _, _ in villages]
    undetermined = [[] for _ in ids]
    columns = []
    for scorer in scorers:
        points = scorer.points
        column = [points if full else 0 for full in scorer.full_marks(ids)]
        for i in [i for i, value in enumerate(column) if value != points]:
            awarded, _, _ = scorer.score(ids[i], False)  # the explanation is made when shown
            if awarded is None:
                reason = scorer.score(ids[i])[2]
                undetermined[i].append(f"{scorer.indicator.code} {scorer.indicator.title}：{reason}")
            column[i] = awarded or 0
        columns.append(column)
    totals = [round(sum(row), 2) for row in zip(*columns)] if columns else [0] * len(ids)
    incidents = facts.incidents
    results = []
    for i, (village, code, name) in enumerate(villages):
        result = VillageResult(village, code, name, totals[i], UNDETERMINED, undetermined=undetermined[i], scorers=scorers)
        if incidents is None and spec.vetoes:
            result.undetermined.append("案事件数据不可用，无法核查否决事项")
        elif incidents and village in incidents:
            for veto in spec.vetoes:
                hits = _matching(incidents[village], veto.kinds, veto.severities)
                if hits:
                    result.vetoes.append(VetoHit(veto.code, veto.title, hits))
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

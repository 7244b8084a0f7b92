"""The scoring engine: a pure function of (scheme, facts, manual scores) → one result per village,
with an explanation for every point lost and every veto hit. No database access: facts.py gathers
the facts with a fixed number of set-based queries. How each indicator is scored is its rule's
kind's (kinds/); the engine runs them over the villages and applies the vetoes and the pass mark.

Fail closed: when a fact a veto or an indicator needs is missing, or a rule cannot be applied, the
village is 待定 (undetermined) with the reason, never 达标.
"""

import datetime
import functools
from dataclasses import dataclass, field
from typing import Callable

from .kinds import EPSILON, kind_of, matching
from safestar.core.numbers import figure

PASSED, FAILED, VETOED, UNDETERMINED = "达标", "未达标", "否决", "待定"


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
    evidence: dict = field(default_factory=dict)  # register → {village ids with records or a nil return}; missing: not gathered
    register_labels: dict = field(default_factory=dict)  # register → "矛盾纠纷"
    incidents: dict | None = None  # village id → [IncidentFact] (recognised, in the year); None: unavailable
    pending: dict = field(default_factory=dict)  # village id → [IncidentFact] recorded in the year, not (yet) recognised


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
class PendingIncident:
    """An incident of the year recorded but not recognised that would veto or cost points once
    recognised: shown beside the result (待认定), which it does not change."""

    incident: IncidentFact
    vetoes: list  # [Veto] it would trigger
    indicators: list  # [Indicator] whose points it would cost

    @property
    def consequence(self):
        parts = []
        if self.vetoes:
            parts.append("认定后将否决（" + "、".join(f"{v.code} {v.title}" for v in self.vetoes) + "）")
        if self.indicators:
            parts.append(("认定后将失分（" if not self.vetoes else "并失分（")
                         + "、".join(f"{i.code} {i.points:g}分" for i in self.indicators) + "）")
        return "待认定，" + "，".join(parts)


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
    pending: list = field(default_factory=list)  # PendingIncident: unrecognised incidents that would count
    rank: int | None = None
    # The prepared indicators: IndicatorResult objects are built only for the villages somebody looks
    # at (a province has 50 000 villages × 48 indicators).
    scorers: list = field(default_factory=list, repr=False)
    # A result read back from the stored results (cache.py): its indicators, made when first read.
    stored: Callable | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def indicators(self):
        if self.stored is not None:
            return self.stored()
        return [s.result(*s.score(self.village)) for s in self.scorers]

    def main_losses(self, n=3):
        """The indicators that lost the most points (undetermined ones are listed as such instead)."""
        lost = sorted((i for i in self.indicators if i.awarded is not None and i.lost > EPSILON), key=lambda i: -i.lost)
        return lost[:n]


class _Scorer:
    """One indicator, prepared once per evaluation by its rule kind (kinds/): `score(village)` gives
    (awarded or None, raw measured value, reason); the strings a person reads are only made when a
    result is shown or points are lost."""

    def __init__(self, category, indicator, facts, manual, given=None):
        self.category, self.indicator = category, indicator
        self.points = indicator.points
        self.kind = kind_of(indicator.rule).scorer(indicator, facts, manual)
        self.score = self.kind.score
        self.target = self.kind.target
        # Points a person gave for a computed indicator (an evaluation round's proposal as
        # submitted, a town or county adjustment): {village: (points, reason)}; they replace the
        # computed award, the measured value is still shown.
        self.given = given or {}
        if self.given:
            self.computed, self.score = self.score, self._given

    def full_marks(self, ids):
        """For each village, whether it surely gets full points: a quick, set-wide first pass; the
        other villages go through `score` one by one."""
        full = self.kind.full_marks(ids)
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
            return None, raw, f"给定得分 {points} 超出 0–{figure(self.points)} 的范围"
        return points, raw, (reason if explain and points < self.points - EPSILON else "")

    def result(self, awarded, raw, reason):
        measured = self.kind.measured(raw)
        return IndicatorResult(self.category, self.indicator.code, self.indicator.title, self.points, awarded, measured, self.target, reason)


def evaluate(spec, facts, villages, manual=None):
    """villages: [(id, code, name)]; manual: {(village id, indicator code): (points, reason)}: the
    points a person gave. For a manual indicator they are its score; for a computed indicator they
    replace the computed award (an evaluation round feeds its adjusted points this way).

    Indicator by indicator over all villages: a quick pass finds the villages with full points,
    the rest are scored one by one with their explanation."""
    manual = manual or {}
    given = {}
    computed = {i.code for i in spec.indicators() if not kind_of(i.rule).manual}
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
    counting = [(i, kind_of(i.rule)) for i in spec.indicators()]
    results = []
    for i, (village, code, name) in enumerate(villages):
        result = VillageResult(village, code, name, totals[i], UNDETERMINED, undetermined=undetermined[i], scorers=scorers)
        if incidents is None and spec.vetoes:
            result.undetermined.append("案事件数据不可用，无法核查否决事项")
        elif incidents and village in incidents:
            for veto in spec.vetoes:
                hits = matching(incidents[village], veto.kinds, veto.severities)
                if hits:
                    result.vetoes.append(VetoHit(veto.code, veto.title, hits))
        for incident in facts.pending.get(village, ()):
            vetoes = [v for v in spec.vetoes if matching([incident], v.kinds, v.severities)]
            costs = [i for i, kind in counting if kind.would_cost(i.rule, incident)]
            if vetoes or costs:
                result.pending.append(PendingIncident(incident, vetoes, costs))
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

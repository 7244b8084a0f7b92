"""What a rule kind (评分方法) is, and the one registry of them.

A kind is one class, in one module of this package: how a rule of the kind is read from a scheme
file and checked (`parse`), which facts it needs (`needs`), how a person reads it in the scheme table
(`describe`), and its `Scorer`: the set-wide full-marks test over all villages (`full_marks`), the
score of one village with the explanation of every point lost (`score`), and what was measured
(`measured`). `register` refuses a kind that lacks any of these, so a kind can never be half there:
a missing branch used to give 待定 silently. Plain Python: no database access (the facts are gathered
by facts.py from what `needs` declares).

Like healthchecks' TRANSPORTS: the validator, the facts, the engine, the scheme pages and the
evaluation workflow ask KINDS / kind_of(); nothing dispatches on the kind's name.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

EPSILON = 1e-9
KINDS = {}  # type → RuleKind instance, in registration order (the order error messages list them)


def fmt(value, unit=""):
    if value is None:
        return "无数据"
    return f"{value:g}{unit}" if isinstance(value, (int, float)) else str(value)


def matching(incidents, kinds, severities):
    """The incidents of the given kinds (and severities, when given): zero-incident rules and vetoes.
    No kinds (a severity-only veto): any kind of the given severities."""
    found, seen = [], set()
    for i in incidents:  # an incident caused by a key person is listed twice (its kind, 肇事肇祸): count it once
        if (not kinds or i.kind in kinds) and (not severities or i.severity in severities) and i.id not in seen:
            seen.add(i.id)
            found.append(i)
    return found


def describe_incidents(incidents):
    return "；".join(f"{i.date:%Y-%m-%d} {i.kind_name}：{i.title}" for i in incidents)


@dataclass
class Needs:
    """The facts a scheme reads, filled by each rule's kind (and the vetoes): facts.py gathers them."""

    metrics: set = field(default_factory=set)  # metric names
    records: set = field(default_factory=set)  # (ledger slug, kind value or None)
    incident_kinds: set = field(default_factory=set)  # incident kind codes
    registers: set = field(default_factory=set)  # registers whose evidence (records or nil return) is needed
    incident_severities: set = field(default_factory=set)  # severities counted whatever the kind (severity-only vetoes)


class Scorer:
    """One indicator of a kind, prepared once per evaluation from the facts (in __init__, which also
    sets `target`, the requirement as a person reads it).

    full_marks(ids) → [bool]: for each village, whether it surely gets full points (a quick pass over
        the whole village set; the other villages go through `score` one by one);
    score(village, explain=True) → (points awarded or None for undetermined, raw measured value,
        reason for the points lost or for being undetermined; "" unless `explain`);
    measured(raw) → the measured value as a person reads it.
    """

    target = ""

    def __init__(self, indicator, facts, manual):
        self.indicator, self.rule, self.facts, self.manual = indicator, indicator.rule, facts, manual
        self.points = indicator.points

    def full_marks(self, ids):
        raise NotImplementedError

    def score(self, village, explain=True):
        raise NotImplementedError

    def measured(self, raw):
        raise NotImplementedError


class RuleKind:
    """One kind of rule. Subclasses set `type` (the name in scheme files), `label` (Chinese), `example`
    (a valid rule as written in a scheme file, for the tests that run every kind through every stage)
    and `scorer`, and implement parse, needs and describe."""

    type = ""
    label = ""
    example = None
    scorer = Scorer
    manual = False  # the points are given by a person (人工评分), not computed from facts
    recounted = False  # its facts keep changing after a village submits (an evaluation round recounts it)

    def parse(self, check, data, path, deduct):
        """The spec.Rule for `data` (the rule's mapping in the scheme file), reporting every problem
        through check.error(path + (key,), message) in Chinese; `deduct` has been checked already."""
        raise NotImplementedError

    def needs(self, rule, needs):
        """Add the facts `rule` reads to `needs` (a Needs)."""
        raise NotImplementedError

    def describe(self, rule, points):
        """The 评分方法 column of the scheme table, in Chinese."""
        raise NotImplementedError

    def would_cost(self, rule, incident):
        """Whether `incident` (an IncidentFact), once recognised, would cost points on `rule`: the
        pending incidents shown beside a result (待认定). Optional: most kinds do not read incidents."""
        return False


REQUIRED = ("type", "label", "example")
METHODS = ("parse", "needs", "describe")
SCORER_METHODS = ("full_marks", "score", "measured")


def register(cls):
    """Class decorator: add a RuleKind to KINDS, refusing one that lacks a part."""
    missing = [name for name in REQUIRED if not getattr(cls, name, None)]
    missing += [name for name in METHODS if getattr(cls, name) is getattr(RuleKind, name)]
    missing += [f"scorer.{name}" for name in SCORER_METHODS if getattr(cls.scorer, name) is getattr(Scorer, name)]
    if missing:
        raise ImproperlyConfigured(f"rule kind {cls.__name__} lacks {', '.join(missing)}")
    if cls.type in KINDS:
        raise ImproperlyConfigured(f"rule kind {cls.type} registered twice")
    KINDS[cls.type] = cls()
    return cls


class _UnknownScorer(Scorer):
    def full_marks(self, ids):
        return [False] * len(ids)

    def score(self, village, explain=True):
        return None, None, f"无法识别的评分方法“{self.rule.type}”"

    def measured(self, raw):
        return ""


class _Unknown(RuleKind):
    """A stored rule whose kind is no longer registered: every village is 待定 on it (fail closed)."""

    scorer = _UnknownScorer

    def needs(self, rule, needs):
        pass

    def describe(self, rule, points):
        return rule.type


UNKNOWN = _Unknown()


def kind_of(rule):
    return KINDS.get(rule.type, UNKNOWN)

"""A creation scheme (创建方案) as plain data: what the validator produces and the engine reads.

No database access here: a Spec is built from YAML by validate.py, stored as JSON on the Scheme
model, and handed to engine.evaluate() with the facts gathered for it.
"""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Rule:
    """How an indicator is scored: `type` names its kind (kinds.KINDS), the other fields are the
    parameters the kinds read (a field unused by a kind stays at its default)."""

    type: str
    metric: str | None = None  # threshold
    op: str | None = None  # threshold: ">=", "<=", "==", "between"
    value: float | None = None  # threshold target (">=", "<=", "==")
    min: float | None = None  # threshold "between" lower bound; records: at least this many
    max: float | None = None  # threshold "between" upper bound
    deduct: float | None = None  # points lost per unit short (threshold >= / <=, records), floor 0
    if_missing: str = "undetermined"  # threshold: when the metric has no value: undetermined | zero | full (needs evidence)
    evidence: str | None = None  # threshold: the register (core.metrics.REGISTERS) that must have records for
    # the year or a nil return (零报告), else 待定: "absence" indicators are met only on evidence
    ledger: str | None = None  # records
    kind: str | None = None  # records: only records of this kind (the ledger's kind field)
    within_days: int | None = None  # records: at least one in the last N days of the year
    kinds: tuple = ()  # zero_incidents: incident kind codes
    severities: tuple = ()  # zero_incidents: only these severities (empty: any)


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    points: float
    rule: Rule
    source: str = ""  # 数据来源
    department: str = ""  # 评分部门
    note: str = ""  # 权重理由 / 评分说明


@dataclass(frozen=True)
class Category:
    code: str
    title: str
    indicators: tuple

    @property
    def points(self):
        return sum(i.points for i in self.indicators)


@dataclass(frozen=True)
class Veto:
    code: str
    title: str
    kinds: tuple
    severities: tuple = ()


@dataclass(frozen=True)
class Band:
    name: str
    min: float


@dataclass(frozen=True)
class Spec:
    name: str
    star: str
    year: int
    issuer: str  # division code
    total: float
    pass_mark: float | None
    bands: tuple  # Band, highest first; empty when a single pass mark is used
    categories: tuple
    vetoes: tuple
    description: str = ""

    def indicators(self):
        return [i for c in self.categories for i in c.indicators]

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, data):
        def rule(r):
            return Rule(**{**r, "kinds": tuple(r.get("kinds", ())), "severities": tuple(r.get("severities", ()))})

        categories = tuple(
            Category(c["code"], c["title"], tuple(Indicator(**{**i, "rule": rule(i["rule"])}) for i in c["indicators"]))
            for c in data["categories"]
        )
        return cls(
            **{
                **data,
                "bands": tuple(Band(**b) for b in data["bands"]),
                "categories": categories,
                "vetoes": tuple(Veto(**{**v, "kinds": tuple(v["kinds"]), "severities": tuple(v.get("severities", ()))}) for v in data["vetoes"]),
            }
        )

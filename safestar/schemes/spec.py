"""A creation scheme (创建方案) as plain data: what the validator produces and the engine reads.

No database access here: a Spec is built from YAML by validate.py, stored as JSON on the Scheme
model, and handed to engine.evaluate() with the facts gathered for it.
"""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Rule:
    """How an indicator is scored; `type` is one of RULE_TYPES, the rest depends on it."""

    type: str
    metric: str | None = None  # threshold
    op: str | None = None  # threshold: ">=", "<=", "==", "between"
    value: float | None = None  # threshold target (">=", "<=", "==")
    min: float | None = None  # threshold "between" lower bound; records: at least this many
    max: float | None = None  # threshold "between" upper bound
    deduct: float | None = None  # points lost per unit short (threshold >= / <=, records), floor 0
    if_missing: str = "undetermined"  # threshold: when the metric has no value: undetermined | zero | full
    ledger: str | None = None  # records
    kind: str | None = None  # records: only records of this kind (the ledger's kind field)
    within_days: int | None = None  # records: at least one in the last N days of the year
    kinds: tuple = ()  # zero_incidents: incident kind codes
    severities: tuple = ()  # zero_incidents: only these severities (empty: any)


RULE_TYPES = {
    "manual": "人工评分",
    "threshold": "指标达标",
    "records": "台账记录",
    "zero_incidents": "零发案",
}
OPS = {">=": "不少于", "<=": "不多于", "==": "等于", "between": "介于"}
MISSING = {"undetermined": "待定", "zero": "不得分", "full": "得满分"}


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


def describe_rule(rule, points):
    """The 评分方法 column of the scheme table, in Chinese."""
    p = f"{points:g}"
    if rule.type == "manual":
        return f"评查人员按实际情况评分（0–{p}分），须说明理由"
    if rule.type == "threshold":
        if rule.op == "between":
            target = f"在 {rule.min:g}–{rule.max:g} 之间"
        else:
            target = f"{OPS[rule.op]} {rule.value:g}"
        text = f"指标 {rule.metric} {target}得{p}分"
        if rule.deduct:
            text += f"，每差1个单位扣{rule.deduct:g}分，扣完为止"
        else:
            text += "，否则不得分"
        if rule.if_missing != "undetermined":
            text += f"；无数据时{MISSING[rule.if_missing]}"
        return text
    if rule.type == "records":
        what = f"“{rule.ledger}”台账" + (f"中类别为 {rule.kind} 的" if rule.kind else "")
        if rule.within_days:
            return f"{what}在年度最后{rule.within_days}天内至少有1条记录得{p}分，否则不得分"
        text = f"{what}年度内记录不少于{rule.min or 1:g}条得{p}分"
        return text + (f"，每少1条扣{rule.deduct:g}分" if rule.deduct else "，否则不得分")
    if rule.type == "zero_incidents":
        sev = f"（严重程度：{'、'.join(rule.severities)}）" if rule.severities else ""
        return f"年度内无经认定的 {'、'.join(rule.kinds)}{sev} 案事件得{p}分，发生即不得分"
    return rule.type

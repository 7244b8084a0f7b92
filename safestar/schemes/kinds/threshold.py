"""指标达标: a metric's value against a target (>=, <=, ==, between), all or nothing or so many
points per unit short."""

import math

from ..spec import Rule
from .base import EPSILON, RuleKind, Scorer, fmt, register

OPS = {">=": "不少于", "<=": "不多于", "==": "等于", "between": "介于"}
MISSING = {"undetermined": "待定", "zero": "不得分", "full": "得满分"}
NO_EVIDENCE = "台账未建立或未作零报告"


class ThresholdScorer(Scorer):
    def __init__(self, indicator, facts, manual):
        super().__init__(indicator, facts, manual)
        rule = self.rule
        self.label, self.unit, absent_as_zero = facts.metric_info.get(rule.metric, (rule.metric, "", True))
        self.values = facts.metrics.get(rule.metric)
        self.absent = 0 if absent_as_zero else None
        # An "absence" indicator is met only on evidence: records in its register or a nil return.
        self.kept = facts.evidence.get(rule.evidence) if rule.evidence else None
        self.register = facts.register_labels.get(rule.evidence, rule.evidence)
        self.target = f"{rule.min:g}–{rule.max:g}{self.unit}" if rule.op == "between" else f"{OPS[rule.op]} {rule.value:g}{self.unit}"

    def full_marks(self, ids):
        rule = self.rule
        if self.values is None or rule.op not in (">=", "<=") or (rule.evidence and self.kept is None):
            return [False] * len(ids)
        get, absent = self.values.get, self.absent
        if rule.op == ">=":
            low = rule.value - EPSILON
            full = [(x := get(v, absent)) is not None and x >= low for v in ids]
        else:
            high = rule.value + EPSILON
            full = [(x := get(v, absent)) is not None and x <= high for v in ids]
        if rule.evidence:
            kept = self.kept
            full = [f and v in kept for v, f in zip(ids, full)]
        return full

    def score(self, village, explain=True):
        rule, values = self.rule, self.values
        if values is None:
            return None, None, f"指标“{self.label}”未能计算"
        if rule.evidence and (self.kept is None or village not in self.kept):
            return None, values.get(village, self.absent), f"{self.register}{NO_EVIDENCE}（当年{self.register}台账没有记录，也没有“本年度无{self.register}”的零报告）"
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
        measured = fmt(value, self.unit) if explain else ""
        if rule.deduct:
            awarded = max(0.0, self.points - rule.deduct * math.ceil(short - EPSILON))
            return awarded, value, (f"{self.label}为{measured}，要求{self.target}，差{fmt(short, self.unit)}，"
                                    f"每差1扣{rule.deduct:g}分，扣{self.points - awarded:g}分") if explain else ""
        return 0, value, f"{self.label}为{measured}，未达到要求（{self.target}），不得分" if explain else ""

    def measured(self, raw):
        return fmt(raw, self.unit) if self.values is not None else ""


@register
class Threshold(RuleKind):
    type = "threshold"
    label = "指标达标"
    example = {"type": "threshold", "metric": "security.camera_channels", "op": ">=", "value": 6, "deduct": 1}
    scorer = ThresholdScorer

    def parse(self, check, data, path, deduct):
        metric = check.get(data, "metric", path, "str")
        if metric and metric not in check.context.metrics:
            check.error(path + ("metric",), f"未知的指标“{metric}”（可用指标见 docs/schemes.md）")
        op = check.get(data, "op", path, "str")
        if op and op not in OPS:
            check.error(path + ("op",), f"未知的比较方式“{op}”，可用：{'、'.join(OPS)}")
        value = low = high = None
        if op == "between":
            low, high = check.get(data, "min", path, "number"), check.get(data, "max", path, "number")
            if low is not None and high is not None and low >= high:
                check.error(path, f"阈值区间下限 {low} 应小于上限 {high}")
            if deduct:
                check.error(path + ("deduct",), "“介于”不支持按单位扣分")
        elif op:
            value = check.get(data, "value", path, "number")
            if value is not None and value < 0:
                check.error(path + ("value",), f"阈值不能为负数：{value}")
            if deduct and op == "==":
                check.error(path + ("deduct",), "“等于”不支持按单位扣分")
        missing = check.get(data, "if_missing", path, "str", required=False, default="undetermined")
        if missing not in MISSING:
            check.error(path + ("if_missing",), f"无数据时的处理“{missing}”无效，可用：{'、'.join(MISSING)}")
        evidence = check.get(data, "evidence", path, "str", required=False)
        if evidence and evidence not in check.context.registers:
            check.error(path + ("evidence",), f"未知的证据台账“{evidence}”，可用：{'、'.join(check.context.registers) or '无'}")
        if missing == "full" and not evidence:
            check.error(path + ("if_missing",), "“无数据得满分”须同时写明证据台账 evidence：台账没有记录又没有零报告的村不能得满分")
        return Rule("threshold", metric=metric, op=op, value=value, min=low, max=high, deduct=deduct, if_missing=missing, evidence=evidence)

    def needs(self, rule, needs):
        needs.metrics.add(rule.metric)
        if rule.evidence:
            needs.registers.add(rule.evidence)

    def describe(self, rule, points):
        p = f"{points:g}"
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
        if rule.evidence:
            from safestar.core.metrics import REGISTERS

            label = REGISTERS[rule.evidence].label if rule.evidence in REGISTERS else rule.evidence
            text += f"；{label}台账当年没有记录、又没有“本年度无{label}”零报告的村待定"
        return text

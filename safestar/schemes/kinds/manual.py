"""人工评分: the evaluator gives 0 to full points, with a reason for every point withheld."""

from ..spec import Rule
from .base import RuleKind, Scorer, register

PREFIX = "评查意见："
# A reason that already says whose it is: the evaluation round hands back the proposal as submitted
# (already "评查意见：…") and the adjustments ("乡镇初审：…", "县级评查：…"); they are not prefixed again.
LABELLED = (PREFIX, "乡镇初审：", "县级评查：")


class ManualScorer(Scorer):
    def __init__(self, indicator, facts, manual):
        super().__init__(indicator, facts, manual)
        self.target = f"0–{self.points:g}分"

    def full_marks(self, ids):
        get, code, points = self.manual.get, self.indicator.code, self.points
        return [(g := get((v, code))) is not None and g[0] == points for v in ids]

    def score(self, village, explain=True):
        given = self.manual.get((village, self.indicator.code))
        if given is None:
            return None, None, "人工评分项尚未评分"
        points, reason = given
        if not 0 <= points <= self.points:
            return None, points, f"人工评分 {points:g} 超出 0–{self.points:g} 的范围"
        if points < self.points and explain:
            return points, points, reason if reason.startswith(LABELLED) else f"{PREFIX}{reason}"
        return points, points, ""

    def measured(self, raw):
        return f"{raw:g}分" if raw is not None else ""


@register
class Manual(RuleKind):
    type = "manual"
    label = "人工评分"
    example = {"type": "manual"}
    scorer = ManualScorer
    manual = True

    def parse(self, check, data, path, deduct):
        return Rule("manual")

    def needs(self, rule, needs):
        pass  # the scores people gave are read with the scheme (services.manual_scores)

    def describe(self, rule, points):
        return f"评查人员按实际情况评分（0–{points:g}分），须说明理由"

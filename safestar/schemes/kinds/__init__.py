"""Rule kinds (评分方法): one module per kind, one registry (base.KINDS). To add a kind, write its
module beside these (see threshold.py) and import it below; DEVELOPERS.md has the recipe."""

from .base import EPSILON, KINDS, Names, Needs, RuleKind, Scorer, describe_incidents, fmt, kind_of, matching, register

# Registration order is the order the validator lists the kinds in.
from . import manual, threshold, records, zero_incidents  # noqa: E402, F401, I001

__all__ = ["EPSILON", "KINDS", "Names", "Needs", "RuleKind", "Scorer", "describe_incidents", "fmt", "kind_of", "matching", "register",
           "describe_rule", "manual_codes"]


def describe_rule(rule, points, names=None):
    """The 评分方法 column of the scheme table, in Chinese: every code named by `names`
    (loading.names(), read once per page; read here when not given)."""
    if names is None:
        from ..loading import names as read_names

        names = read_names()
    return kind_of(rule).describe(rule, points, names)


def manual_codes(spec):
    """The codes of the indicators whose points a person gives (人工评分)."""
    return {i.code for i in spec.indicators() if kind_of(i.rule).manual}

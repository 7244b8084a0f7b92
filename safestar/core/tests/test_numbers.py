"""One way to write a figure: at most two decimals, no trailing zeros, in pages and in text alike."""

import pytest
from django.template import Context, Template

from safestar.core.numbers import figure


@pytest.mark.parametrize("value, unit, text", [
    (83.33333333, "%", "83.33%"), (5.0, "分", "5分"), (0.5, "", "0.5"), (12345.678, "", "12345.68"),
    (7, "条", "7条"), (-0.001, "", "0"), (None, "", "无数据"), (2.999, "", "3"), (82.125, "分", "82.13分"),
])
def test_figures_are_rounded_to_two_decimals_without_trailing_zeros(value, unit, text):
    assert figure(value, unit) == text


def test_the_template_filter_writes_the_same():
    html = Template('{% load safestar %}{{ a|figure:"%" }} {{ b|figure }} [{{ c|figure }}]').render(Context({"a": 83.3333, "b": 90.0, "c": None}))
    assert html == "83.33% 90 []"


def test_a_rate_in_a_scorecard_reason_is_rounded(world):
    from safestar.schemes.kinds import fmt

    assert fmt(250 / 3, "%") == "83.33%"

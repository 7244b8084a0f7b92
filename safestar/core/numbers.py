"""The one way a figure is written for people: at most two decimals, no trailing zeros
(83.3333 → 83.33, 5.0 → 5, 0.5 → 0.5). Pages use the `figure` template filter
(core/templatetags/safestar.py), Python text (reasons, reports, documents) `figure()`."""

from decimal import ROUND_HALF_UP, Decimal


def figure(value, unit=""):
    """`value` (a number, or None: 无数据) written for people, with `unit` after it."""
    if value is None or value == "":
        return "无数据"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return f"{value}{unit}"
    if isinstance(value, float):  # half up, as Django's floatformat: 82.125 → 82.13
        text = format(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP), "f").rstrip("0").rstrip(".")
    else:
        text = str(value)
    return f"{'0' if text in ('-0', '') else text}{unit}"

"""Named metrics: the numbers ledgers give the scoring engine, one set-based query per metric.

A ledger app's metrics.py declares each metric with @metric. `compute(year, villages)` gets the
year and a queryset of villages (the scope of the evaluation) and returns {village id: value} in
ONE query whatever the number of villages; a village without records is simply absent (the engine
reads it as 0 for counts). See docs/metrics.md for the list, meaning and unit of each.
"""

from dataclasses import dataclass
from typing import Callable

METRICS = {}


@dataclass(frozen=True)
class Metric:
    name: str  # "security.camera_channels"
    label: str  # "在用监控探头路数"
    unit: str  # "路"
    compute: Callable  # (year: int, villages: QuerySet[Division]) -> dict[int, number]
    description: str = ""


def metric(name, label, unit, description=""):
    def register(compute):
        if name in METRICS:
            raise ValueError(f"metric {name} registered twice")
        METRICS[name] = Metric(name, label, unit, compute, description or (compute.__doc__ or "").strip())
        return compute

    return register


def compute(name, year, villages):
    return METRICS[name].compute(year, villages)

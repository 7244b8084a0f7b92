"""Demo 零报告 for the villages of 长岗镇 in the demo year.

records() is the recipe (org/demo.py: also the benchmark's, for every town): at the year's end most
villages declare the registers that stayed empty; as the recipe does not see the other recipes'
records, it offers a declaration for every village and register. load() files only those where the
demo village's register really is empty for the year (core/metrics.REGISTERS), so the demo's nil
returns are true; it runs after the other ledgers' demo (INSTALLED_APPS order) and is idempotent.
"""

import datetime
import random

from safestar.core.metrics import REGISTERS
from safestar.org.demo import TOWN, Batch, demo_town, write

from .models import NilRegister, NilReturn


def records(town, rng):
    """A declaration for every village and register, dated in the last days of the year (or by today)."""
    made = []
    for _, village in town.numbered():
        for register in NilRegister:
            day = min(datetime.date(town.year, 12, rng.randint(20, 31)), town.last)
            note = f"经排查，本年度本村无{register.label}"
            made.append(NilReturn(division=village, subject=register.value, year=town.year, declared_on=day, note=note))
    return [Batch(NilReturn, made)]


def load(year):
    town = demo_town(year, users=("grid1",))
    if NilReturn.objects.filter(division__parent__code=TOWN, year=year).exists():
        return
    (batch,) = records(town, random.Random(f"safestar-nilreturns-{year}"))
    ids = [v.pk for v in town.villages]
    villages = town.villages[0].__class__.objects.filter(pk__in=ids)
    kept = {name: register.compute(year, villages) for name, register in REGISTERS.items()}
    batch.records = [r for r in batch.records if not kept.get(r.subject, {}).get(r.division_id)]
    write(batch, town.users["grid1"])

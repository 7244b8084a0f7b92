"""Demo 村基本情况 for the 20 villages of 长岗镇: population, households, area, natural villages, grids,
the 村两委 and key sites, established two years before the demo year. 长岗村's population and grid
workers changed on 1 July of the demo year (a dated change, core/states.py), so the year before reads
the older numbers.

records() is the recipe (org/demo.py: also the benchmark's); load() writes a profile for each village
of 长岗镇 without one, and 长岗村's dated change once."""

import datetime
import random

from django.db import transaction

from safestar.core.states import record_changes
from safestar.org.demo import TOWN, Batch, demo_town, person_name as _name, write

from .models import VillageProfile

POSTS = ["党支部书记、村委会主任", "党支部副书记", "村委会副主任", "村务监督委员会主任", "村委会委员、治保主任", "村委会委员、妇联主席"]
SITES = ["村小学", "村卫生室", "集贸市场", "村南坑塘", "养殖场", "加油站", "文化广场", "幼儿园", "砖厂", "敬老院"]


def records(town, rng):
    """The recipe: one profile per village of the town (org.demo.Town; shared with the benchmark)."""
    profiles = []
    for index, v in town.numbered():
        households = rng.randint(380, 1100)
        population = int(households * rng.uniform(3.1, 3.8))
        natural = rng.randint(2, 8)
        grids = natural + rng.randint(0, 3)
        profiles.append(VillageProfile(
            division=v, population=population, registered_population=population + rng.randint(100, 600), households=households,
            area=round(rng.uniform(2.2, 7.8), 2), natural_villages=natural, grids=grids, grid_workers=grids,
            committee="\n".join(f"{_name(rng)} {post}" for post in POSTS[: rng.randint(4, len(POSTS))]),
            key_sites="\n".join(rng.sample(SITES, rng.randint(2, 5))),
            established_on=datetime.date(town.year - 2, 1, 1),
            updated_on=min(datetime.date(town.year, rng.randint(1, 3), rng.randint(1, 28)), town.last),
        ))
    return [Batch(VillageProfile, profiles)]


@transaction.atomic
def load(year):
    town = demo_town(year, users=("village1",))
    cadre = town.users["village1"]
    (batch,) = records(town, random.Random(f"safestar-profiles-{year}"))
    have = set(VillageProfile.objects.alive().filter(division__parent__code=TOWN).values_list("division", flat=True))
    write(Batch(VillageProfile, [p for p in batch.records if p.division.pk not in have]), cadre if cadre else None)
    profile = VillageProfile.objects.alive().filter(division=cadre.division).first() if cadre else None
    if profile is not None and cadre.division_id not in have:  # written just now: 长岗村 grew on 1 July
        before = VillageProfile.objects.get(pk=profile.pk)
        profile.population += 46
        profile.grid_workers += 1
        profile.save(update_fields=["population", "grid_workers"])
        record_changes(before, profile, cadre, datetime.date(year, 7, 1))

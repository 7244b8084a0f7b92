"""Every app's demo data (its recipe, records(town, rng), applied by load(year); org/demo.py): each
model it makes is written once however often the demo runs, the same every time, and every record
passes its model's own validation. What each app's demo should show is tested in the app."""

import random

import pytest

from conftest import demo_snapshot
from safestar.bench.generate import recipes
from safestar.org.demo import DEMO_YEAR, demo_town


def made_by(module):
    """The models the recipe makes, in the order it writes them."""
    return [batch.model for batch in module.records(demo_town(DEMO_YEAR), random.Random(0))]


@pytest.mark.parametrize("module", recipes(), ids=lambda module: module.__name__.split(".")[1])
def test_the_demo_data_is_valid_written_once_and_the_same_every_time(world, module):
    module.load(DEMO_YEAR)
    models = made_by(module)
    first = demo_snapshot(models)
    assert all(first.values()), {label: len(rows) for label, rows in first.items()}
    for model in models:
        if not model._meta.auto_created:  # (a many-to-many link has nothing to validate)
            for record in model.objects.order_by("id"):
                record.full_clean()  # clean() included: dates in order, a patrol's hazard in its village, ...
    module.load(DEMO_YEAR)
    assert demo_snapshot(models) == first  # nothing written twice
    for model in reversed(models):  # those that refer to others first
        model.objects.all().delete()
    module.load(DEMO_YEAR)
    assert demo_snapshot(models) == first  # the same records again


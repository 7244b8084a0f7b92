"""The demo loader: the shape the scoring should show (2–6 hazards per village, the two overdue
villages, monthly patrols but in three villages). Written once, the same every time and every record
valid: tests/test_demo_data.py."""

import collections

import pytest

from safestar.core.metrics import compute
from safestar.org.demo import TOWN, village_code
from safestar.org.models import Division
from safestar.safety import demo_data
from safestar.safety.models import ControlledGoods, GoodsCategory, Hazard, HazardInspection, SafetyCheck

MODELS = [HazardInspection, Hazard, ControlledGoods, SafetyCheck]  # patrols first: they refer to hazards


@pytest.fixture
def loaded(world):
    demo_data.load(2023)


def test_every_demo_record_is_written_by_grid1(loaded):
    for model in MODELS:
        assert set(model.objects.values_list("created_by__username", "updated_by__username").distinct()) == {("grid1", "grid1")}


def test_the_shape_of_the_demo(loaded):
    codes = [village_code(TOWN, i) for i in range(1, 21)]
    per_village = collections.Counter(Hazard.objects.values_list("division__code", flat=True))
    assert set(per_village) == set(codes) and all(2 <= n <= 6 for n in per_village.values())
    villages = Division.objects.filter(code__in=codes)
    names = dict(villages.values_list("pk", "name"))
    overdue = compute("safety.hazards_overdue", 2023, villages)
    assert {names[pk]: n for pk, n in overdue.items()} == {"陈楼村": 1, "郭庄村": 1}
    open_ = compute("safety.hazards_open", 2023, villages)
    assert sum(open_.values()) < Hazard.objects.count() / 3  # mostly rectified
    patrols = compute("safety.hazard_inspections", 2023, villages)
    assert set(patrols) == set(names) and all(8 <= n <= 15 for n in patrols.values())
    assert {names[pk] for pk, n in patrols.items() if n < 12} == {"赵店村", "马庄村", "徐庄村"}  # the plan wants 12
    assert HazardInspection.objects.filter(hazard__isnull=False).exists()
    goods = collections.Counter(ControlledGoods.objects.filter(category=GoodsCategory.PESTICIDE).values_list("division__code", flat=True))
    assert set(goods) == set(codes)  # a farm shop in every village
    unchecked = compute("safety.controlled_goods_unchecked", 2023, villages)
    assert {names[pk] for pk in unchecked} == {"刘寨村", "朱庄村"}
    checks = collections.Counter(SafetyCheck.objects.values_list("division__code", flat=True))
    assert set(checks) == set(codes) and all(1 <= n <= 4 for n in checks.values())

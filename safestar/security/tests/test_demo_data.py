"""The demo 治安防控 records of 长岗镇: believable, and differing between
villages where the scoring should show it (written once and the same every time: tests/test_demo_data.py)."""

import datetime
from collections import Counter

import pytest
from django.forms.models import model_to_dict

from safestar.core.ledger import LEDGERS
from safestar.core.metrics import compute
from safestar.org.demo import TOWN, village_code
from safestar.org.models import Division, User
from safestar.security import demo_data
from safestar.security.models import Camera, Clue, Patrol, SecurityProfile

MODELS = (SecurityProfile, Camera, Patrol, Clue)
YEAR = 2023


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def town_villages():
    return Division.objects.filter(parent__code=TOWN, level="village")


@pytest.fixture
def demo(world):
    demo_data.load(YEAR)


def test_a_village_without_its_profile_gets_one_and_nothing_else_is_written_again(demo):
    before = counts()
    SecurityProfile.objects.filter(division__code=village_code(TOWN, 5)).delete()
    demo_data.load(YEAR)
    assert counts() == before


def test_every_village_of_the_town_has_a_profile_cameras_and_monthly_patrols(demo):
    villages = set(town_villages().values_list("pk", flat=True))
    assert len(villages) == 20
    assert set(SecurityProfile.objects.alive().values_list("division", flat=True)) == villages
    assert set(Camera.objects.values_list("division", flat=True)) == villages
    per_month = Counter((p.division_id, p.patrolled_on.month) for p in Patrol.objects.filter(patrolled_on__year=YEAR))
    assert set(per_month.values()) <= {1, 2, 3, 4} and len(per_month) == 20 * 12


def test_the_scoring_sees_differences_between_villages(demo):
    channels = compute("security.camera_channels", YEAR, town_villages())
    short = {Division.objects.get(pk=pk).name for pk, n in channels.items() if n < 6}
    assert short == {"赵店村", "朱庄村", "徐庄村"}
    assert len(channels) == 20 and all(n >= 6 for pk, n in channels.items() if Division.objects.get(pk=pk).name not in short)
    networked = compute("security.networked_channels", YEAR, town_villages())
    assert any(networked.get(pk, 0) < n for pk, n in channels.items())  # not every camera is networked
    officers = compute("security.has_police_officer", YEAR, town_villages())
    assert len(officers) == 19  # 吴庄村's post is vacant
    patrols = compute("security.patrols", YEAR, town_villages())
    assert len(patrols) == 20 and all(12 <= n <= 48 for n in patrols.values()) and len(set(patrols.values())) > 1


def test_clues_are_few_with_varied_categories_and_statuses(demo):
    clues = list(Clue.objects.filter(reported_on__year=YEAR))
    assert 5 <= len(clues) <= 12
    assert {c.get_status_display() for c in clues} == {"已上报", "处理中", "已办结"}
    assert len({c.category for c in clues}) >= 4
    assert all(c.result for c in clues if c.status == "closed")


def test_records_are_entered_by_the_demo_users_and_dated_by_their_own_dates(demo):
    grid1, police = User.objects.get(username="grid1"), User.objects.get(username="police")
    for model in MODELS:
        for obj in model.objects.select_related("division"):
            expected = grid1 if obj.division_id == grid1.division_id else police
            assert obj.created_by_id == obj.updated_by_id == expected.pk, obj
    # Nothing is backdated: the state metrics count the standing records for the demo year by their
    # own start dates, whenever the demo is loaded.
    end = datetime.date(YEAR, 12, 31)
    assert all(p.established_on <= end for p in SecurityProfile.objects.all())
    assert all(c.installed_on <= end for c in Camera.objects.all())


def test_every_demo_record_passes_its_ledgers_form(demo):
    town = User.objects.get(username="town")
    for ledger in LEDGERS.values():
        if ledger.model not in MODELS:
            continue
        for obj in ledger.model.objects.order_by("id")[:60]:
            data = {k: ("" if v is None else v) for k, v in model_to_dict(obj, fields=["division", *ledger.fields]).items()}
            form = ledger.form_class()(data=data, instance=obj, user=town)
            assert form.is_valid(), (ledger.slug, obj, form.errors)
            dated = getattr(obj, ledger.date_field)
            assert dated is None or dated <= datetime.date(YEAR, 12, 31)

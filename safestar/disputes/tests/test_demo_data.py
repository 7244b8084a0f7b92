"""The demo 矛盾纠纷 records of 长岗镇 are believable (written once and the same every time: tests/test_demo_data.py)."""

from collections import Counter

import pytest

from safestar.core.metrics import compute
from safestar.disputes import demo_data
from safestar.disputes.models import Dispute, LegalAdvisor, Mediator, Petition, StabilityMeeting
from safestar.org.demo import TOWN, village_code
from safestar.org.models import Division

YEAR = 2023


@pytest.fixture
def loaded(world):
    demo_data.load(YEAR)


def test_the_demo_is_believable(loaded):
    town_villages = Division.objects.filter(parent__code=TOWN, level="village")
    ids = dict(town_villages.values_list("code", "pk"))
    assert len(ids) == 20
    everything = [*LegalAdvisor.objects.all(), *Mediator.objects.all(), *Dispute.objects.all(), *Petition.objects.all(),
                  *StabilityMeeting.objects.all()]
    assert {o.division_id for o in everything} <= set(ids.values())
    assert {o.created_by.username for o in everything} == {"grid1"}
    for obj in everything:
        obj.full_clean()  # every demo record passes the ledger's own validation

    advisors = compute("disputes.legal_advisors", YEAR, town_villages)
    assert set(advisors) == set(ids.values()) - {ids[village_code(TOWN, demo_data.NO_ADVISOR)]}  # all but one village
    assert all(n == 1 for n in advisors.values())

    in_post = compute("disputes.mediators", YEAR, town_villages)
    assert len(in_post) == 20 and all(5 <= n <= 8 for n in in_post.values())
    assert Mediator.objects.filter(active=False).exists()  # a former member, kept on the ledger
    assert Counter(Mediator.objects.filter(role="director").values_list("division", flat=True)) == {pk: 1 for pk in ids.values()}

    disputes = Counter(Dispute.objects.filter(received_on__year=YEAR).values_list("division", flat=True))
    assert all(0 <= n <= 6 for n in disputes.values())
    stages = Counter(Dispute.objects.values_list("stage", flat=True))
    assert stages["resolved"] > sum(stages.values()) / 2  # most are resolved
    overdue = compute("disputes.overdue", YEAR, town_villages)
    assert 1 <= sum(overdue.values()) <= 8  # a few, not many

    backlog = Petition.objects.filter(is_backlog=True)
    assert backlog.count() == 2 and backlog.filter(status="settled").count() == 1
    assert sum(compute("petitions.backlog_unsettled", YEAR, town_villages).values()) == 1
    assert 3 <= Petition.objects.filter(is_backlog=False).count() <= 8

    meetings = compute("disputes.stability_meetings", YEAR, town_villages)
    assert len(meetings) == 20 and all(4 <= n <= 12 for n in meetings.values())
    assert StabilityMeeting.objects.filter(warnings_issued__gt=0).exists()

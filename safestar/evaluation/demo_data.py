"""Demo: 长岗镇's 2023 evaluation round of its 创建主体 (the villages whose application the town
confirmed in the creation demo: 长岗村 and 杨庄村), half-way: the county opened it, 杨庄村 submitted
its self-assessment and the task force reviewed it with an adjustment (any other creating village
would be filled in by the town office, 镇代填); 长岗村 is still assessing itself. From here the demo personas can finish the round:
village1 submits, taskforce or town reviews, town forwards, county evaluates, recognises, publishes.
What the demo did happened on 10 January after the demo year, before the first deadline: nothing in it is late; what the
personas do now (after the deadlines) is marked 逾期, or waits for consent if the town or the county
chooses so on the round's page."""

import datetime

from django.db import transaction

from safestar import clock
from safestar.org.demo import TOWN
from safestar.org.models import Division, User
from safestar.schemes.models import Scheme

from . import services
from .models import Round

VILLAGE1 = "411422100201"  # 长岗村, left for village1 to assess


@transaction.atomic
def load(year):
    scheme = Scheme.objects.filter(issuer__code=TOWN, year=year).order_by("-version").first()
    if scheme is None or Round.objects.filter(scheme=scheme).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["county", "town", "taskforce", "village2"])}
    if len(users) < 4:
        return
    frozen = clock._frozen
    try:
        clock.freeze(datetime.date(year + 1, 1, 10))  # the round as it stood before its first deadline (村自评 1月15日)
        _load(scheme, users, year)
    finally:
        clock.freeze(frozen)


def _load(scheme, users, year):
    town = Division.objects.get(code=TOWN)
    round = services.open_round(scheme, town, datetime.date(year + 1, 1, 15), datetime.date(year + 1, 1, 31),
                                datetime.date(year + 1, 2, 28), users["county"])
    for entry in round.entries.select_related("village", "round__scheme").order_by("village__code"):
        if entry.village.code == VILLAGE1:
            continue
        services.submit(entry, users["village2"] if entry.village.code == "411422100202" else users["town"])
        result = services.proposal(entry)
        for indicator in result.indicators:
            if indicator.awarded is None:  # nothing to go on: the task force decides with a reason
                services.save_line(entry, indicator.code, users["taskforce"], points=0, reason="无相关数据，按未完成计")
        if entry.village.code == "411422100202":
            services.save_line(entry, "C1.5", users["taskforce"], points=3, reason="实地核查1路探头损坏未修复")
        services.review(entry, users["taskforce"])

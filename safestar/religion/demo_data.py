"""Demo 宗教 records for the 20 villages of 长岗镇 in the demo year.

Venues: most villages have none, the others one or two; a registered 基督教 meeting point in 长岗村,
a mosque in 马庄村, a Buddhist and a Taoist temple, a few unregistered folk shrines (民间信仰, one of
them to watch), and a former private meeting point in 孙庄村 that was banned (已取缔). Activities: the
venues' festivals, care visits to believers a few times a year in every village, and three clues in
the town over the year (one closed, one being handled, one just reported).

Deterministic (a seeded random.Random) and idempotent: the venues are written only when the town has
none, the activities only when the town has none dated in the year. Everything is entered by the
demo grid worker "grid1", and the 录入时间 lies in the demo year, so that the venue metrics (which
ignore venues entered after the year) count them when the demo year is evaluated.
"""

import datetime
import random

from django.db import transaction

from safestar.core import clock
from safestar.org.demo import GIVEN, SURNAMES, TOWN, VILLAGES, at as _at, village_code, write_backdated as _write
from safestar.org.models import Division, User

from .models import ActivityKind as K
from .models import HandlingStatus as S
from .models import Religion as R
from .models import ReligiousActivity, ReligiousVenue
from .models import VenueStatus as V

VILLAGE_COUNT = len(VILLAGES[TOWN])  # 20

# (village index, name, religion, registered, status, attendees (low, high), visited this year)
VENUES = [
    (1, "长岗村基督教聚会点", R.CHRISTIANITY, True, V.NORMAL, (30, 45), True),
    (3, "李庄村土地庙", R.FOLK, False, V.NORMAL, (5, 15), True),
    (6, "刘寨村奶奶庙", R.FOLK, False, V.NORMAL, (10, 25), False),
    (7, "赵店观音寺", R.BUDDHISM, True, V.NORMAL, (20, 40), True),
    (8, "孙庄村原私设聚会点", R.OTHER, False, V.BANNED, (0, 0), True),
    (12, "马庄清真寺", R.ISLAM, True, V.NORMAL, (60, 90), True),
    (12, "马庄村土地庙", R.FOLK, False, V.NORMAL, (3, 8), False),
    (15, "郭庄村关帝庙", R.FOLK, False, V.WATCH, (15, 30), True),
    (16, "周楼玄帝庙", R.TAOISM, True, V.NORMAL, (10, 20), True),
]

# What a venue of each religion holds in the year: (month, first day, last day, content).
FESTIVALS = {
    R.CHRISTIANITY: [(4, 2, 16, "复活节聚会，按登记地点和时间进行"), (12, 24, 25, "圣诞节聚会，村干部到场了解人数和安全措施")],
    R.ISLAM: [(4, 20, 23, "开斋节会礼，村、镇干部到场维持秩序"), (6, 27, 29, "古尔邦节会礼")],
    R.BUDDHISM: [(3, 8, 12, "观音诞法会，落实消防和人员疏导措施"), (10, 30, 31, "观音出家日法会")],
    R.TAOISM: [(4, 18, 24, "玄帝诞辰庙会，落实消防和人员疏导措施")],
    R.FOLK: [(1, 21, 28, "春节期间群众上香祈福"), (3, 1, 20, "传统庙会，村里安排人员维持秩序、检查用火安全")],
}

CARE_VISITS = [
    "走访信教群众家庭，了解生产生活困难，宣传党的宗教政策",
    "走访困难信教群众，送去米面油，了解其思想动态",
    "节前走访信教群众，宣传无神论和科学知识，提醒防范邪教和诈骗",
    "入户走访老年信教群众，了解就医、养老情况并帮助联系落实",
]
VENUE_VISITS = [  # a care visit at a venue
    "走访场所负责人和骨干信众，讲解《宗教事务条例》，引导依法开展活动",
    "到场所走访信教群众，检查消防设施，了解活动人数和外来人员情况",
]

# (village index, month, day, kind, venue name or None, content, participants, reported to, status,
#  closed (month, day) or None, result)
CLUES = [
    (5, 3, 14, K.ILLEGAL_CLUE, None, "网格员发现有外地人员在村民家中组织聚会传教，每周两次，约十余人参加",
     12, "长岗镇党委统战办、睢县民族宗教事务局", S.CLOSED, (4, 6),
     "经镇、县民宗部门核查，劝散聚会，对组织者进行政策法规教育，房主签订不再提供场地承诺书"),
    (9, 6, 20, K.CULT_CLUE, None, "村民反映集市上有人散发邪教宣传品，已收缴部分传单",
     None, "长岗派出所", S.HANDLING, None, "派出所已立案调查，正在查找散发人员"),
    (15, 9, 8, K.INTERFERENCE_CLUE, "郭庄村关帝庙", "关帝庙管理人员借庙会名义向村民摊派费用，并干预村民小组长推选",
     None, "长岗镇党委、睢县民族宗教事务局", S.REPORTED, None, ""),
]

PHONE_PREFIXES = ["133", "135", "137", "138", "139", "150", "151", "155", "158", "159", "176", "183", "187", "189"]


def _day(rng, year, month):
    return datetime.date(year, month, rng.randint(1, 28))


@transaction.atomic
def load(year):
    rng = random.Random(f"safestar-religion-{year}")
    last = min(datetime.date(year, 12, 31), clock.today())  # no records dated ahead of today
    codes = [village_code(TOWN, i) for i in range(1, VILLAGE_COUNT + 1)]
    villages = {v.code: v for v in Division.objects.filter(code__in=codes)}
    grid = User.objects.get(username="grid1")

    def village(index):
        return villages[village_code(TOWN, index)]

    # Generated in full whether written or not, so that the random sequence (and thus each
    # ledger's data) is the same whichever ledger was already there.
    venues = []
    for number, (index, name, religion, registered, status, (low, high), visited) in enumerate(VENUES, start=1):
        venues.append(ReligiousVenue(
            division=village(index), name=name, religion=religion, registered=registered,
            registration_number=f"睢宗场登字第{40 + number:03d}号" if registered else "",
            person_in_charge=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**8):08d}",
            address=f"{village(index).name}{rng.choice('东西南北')}街{rng.randint(1, 60)}号",
            regular_attendees=rng.randint(low, high),
            last_visited_on=min(_day(rng, year, rng.randint(3, 11)), last) if visited
            else datetime.date(year - 1, rng.randint(9, 12), rng.randint(1, 28)),
            status=status,
        ))
    records = []  # (activity, venue name or None): the venues are found once they are written
    for index, name, religion, _, status, (low, high), _ in VENUES:
        if status == V.BANNED:
            continue
        for month, first, last_day, content in FESTIVALS[religion]:
            records.append((ReligiousActivity(
                division=village(index), held_on=datetime.date(year, month, rng.randint(first, last_day)), kind=K.NORMAL,
                content=content, participants=rng.randint(max(low, 3), high + 20), status=S.REGISTERED,
            ), name))
    with_venues = {}  # village index → its venues visited in the year and not banned
    for index, name, _, _, status, _, visited in VENUES:
        if visited and status != V.BANNED:
            with_venues.setdefault(index, []).append(name)
    for index in range(1, VILLAGE_COUNT + 1):  # more visits where there is a venue (more believers)
        months = sorted(rng.sample(range(1, 13), rng.randint(2, 4) if index in with_venues else rng.randint(1, 2)))
        for month in months:
            name = rng.choice(with_venues[index]) if index in with_venues and rng.random() < 0.4 else None
            records.append((ReligiousActivity(
                division=village(index), held_on=_day(rng, year, month), kind=K.CARE_VISIT,
                content=rng.choice(VENUE_VISITS if name else CARE_VISITS), participants=rng.randint(2, 8), status=S.REGISTERED,
            ), name))
    for index, month, day, kind, name, content, participants, reported_to, status, closed, result in CLUES:
        records.append((ReligiousActivity(
            division=village(index), held_on=datetime.date(year, month, day), kind=kind,
            content=content, participants=participants, reported_to=reported_to, status=status,
            closed_on=datetime.date(year, *closed) if closed else None, result=result,
        ), name))
    records = [(r, name) for r, name in records if r.held_on <= last and (r.closed_on is None or r.closed_on <= last)]
    records.sort(key=lambda pair: (pair[0].held_on, pair[0].division.code))

    # A venue's last visit is no earlier than the last care visit recorded there.
    for v in venues:
        visits = [r.held_on for r, name in records if name == v.name and r.kind == K.CARE_VISIT]
        if visits and v.last_visited_on < max(visits):
            v.last_visited_on = max(visits)

    in_town = {"division__parent__code": TOWN}
    if not ReligiousVenue.objects.filter(**in_town).exists():
        _write(ReligiousVenue, venues, grid, lambda v: _at(datetime.date(year, 1, 10)))
    if not ReligiousActivity.objects.filter(**in_town, held_on__year=year).exists():
        known = {(v.division_id, v.name): v for v in ReligiousVenue.objects.alive().filter(**in_town)}
        for r, name in records:
            r.venue = known.get((r.division_id, name)) if name else None
        _write(ReligiousActivity, [r for r, _ in records], grid, lambda r: _at(r.held_on, 17))


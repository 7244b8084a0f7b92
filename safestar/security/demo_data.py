"""Demo 治安防控 records for the 20 villages of 长岗镇 in the demo year: a prevention profile per
village, cameras and other technical defences (most villages reach the plan's 6 working channels,
three do not), 1–4 patrols a month per village and a handful of clue reports.

Deterministic (a seeded random.Random) and idempotent: each ledger is written only when the town
has none of it yet (profiles: only for villages without one). The records are dated in the demo
year and so is their 录入时间, so that the state metrics (which ignore records entered after the
year) count them when the demo year is evaluated.
"""

import datetime
import decimal
import random

from django.db import transaction

from safestar.core import clock
from safestar.org.demo import TOWN, VILLAGES, at as _at, person_name as _name, phone_number as _phone, village_code, write_backdated as _write
from safestar.org.models import Department, Division, User

from .models import Camera, Clue, ClueCategory, ClueStatus, FacilityKind, Patrol, SecurityProfile

VILLAGE_COUNT = len(VILLAGES[TOWN])  # 20
SHORT_OF_CAMERAS = {7, 13, 18}  # 赵店村, 朱庄村, 徐庄村: below 6 working channels, to show in the scoring
NO_OFFICER = {17}  # 吴庄村: its officer was transferred, the post is not filled yet

OFFICERS = ["王建军", "李卫东", "张志强", "刘海涛", "陈国华", "杨晓峰", "赵宏伟", "孙立新", "周振宇", "吴俊杰"]

# (location, kind, channels or None)
CAMERA_SITES = [
    ("村委会大院", FacilityKind.CAMERA, 2),
    ("村东入口", FacilityKind.CAMERA, 2),
    ("村西入口", FacilityKind.CAMERA, 1),
    ("文化广场", FacilityKind.CAMERA, 2),
    ("小学门口", FacilityKind.CAMERA, 2),
    ("集贸市场", FacilityKind.CAMERA, 2),
    ("主干道十字路口", FacilityKind.CAMERA, 1),
]
SHORT_SITES = [("村委会大院", FacilityKind.CAMERA, 2), ("村东入口", FacilityKind.CAMERA, 1), ("文化广场", FacilityKind.CAMERA, 2)]
OTHER_FACILITIES = [
    ("村委会值班室", FacilityKind.ALARM, None),
    ("小学门口", FacilityKind.BARRIER, None),
    ("村卫生室", FacilityKind.ALARM, None),
]

ROUTES = [
    "村委会—文化广场—小学—村东口",
    "村西口—集贸市场—主干道—村委会",
    "村南坑塘—养殖场—村北口",
    "主干道—商铺一条街—卫生室—村委会",
]
FINDINGS = [
    ("集贸市场一处电动车充电线私拉乱接", "当场劝导拆除，告知店主注意用电安全"),
    ("村东口路灯损坏，夜间照明不足", "报村委会，次日更换"),
    ("发现陌生车辆在村内停留较久", "上前询问并登记，系走亲戚人员"),
    ("坑塘边防护栏松动", "设置警示牌，报村委会修复"),
    ("小学放学时段门口车辆拥堵", "协助疏导交通"),
    ("独居老人家门未关", "提醒老人关门并告知其子女"),
]

# (village index, month, day, category, content, department, status, result)
CLUES = [
    (4, 2, 3, ClueCategory.DRUGS_GAMBLING_VICE, "春节期间村内一空院有人聚集打牌赌博", "长岗派出所", ClueStatus.CLOSED,
     "派出所出警查处，依法给予治安处罚 3 人"),
    (9, 3, 21, ClueCategory.WOMEN_CHILDREN, "村民反映邻居家有家暴情况，妇女多次受伤", "长岗派出所", ClueStatus.CLOSED,
     "民警上门调查，出具家庭暴力告诫书，妇联跟进帮扶"),
    (12, 5, 9, ClueCategory.VILLAGE_BULLY, "有人强行承揽村内道路工程并威胁其他施工队", "睢县公安局", ClueStatus.HANDLING, ""),
    (2, 6, 14, ClueCategory.DRUGS_GAMBLING_VICE, "有村民反映有人在网上兜售“上头电子烟”", "长岗派出所", ClueStatus.CLOSED,
     "经查系普通电子烟，对当事人进行禁毒宣传教育"),
    (15, 8, 2, ClueCategory.WOMEN_CHILDREN, "留守儿童放学后常被陌生成年人搭讪", "长岗派出所", ClueStatus.CLOSED,
     "加强放学时段巡逻，对家长和学校开展防范提醒"),
    (6, 9, 18, ClueCategory.GANGS, "有人以放贷为名纠集多人上门催收、滋扰", "睢县公安局", ClueStatus.HANDLING, ""),
    (11, 10, 25, ClueCategory.OTHER, "外来人员挨户推销“保健品”，疑似诈骗老人", "长岗派出所", ClueStatus.CLOSED,
     "民警核查后劝离，开展防诈骗宣传"),
    (19, 12, 6, ClueCategory.DRUGS_GAMBLING_VICE, "村内一出租屋夜间人员进出频繁，疑似赌博", "长岗派出所", ClueStatus.REPORTED, ""),
]


@transaction.atomic
def load(year):
    rng = random.Random(f"safestar-security-{year}")
    last = min(datetime.date(year, 12, 31), clock.today())  # no records dated ahead of today
    villages = {v.code: v for v in Division.objects.filter(code__in=[village_code(TOWN, i) for i in range(1, VILLAGE_COUNT + 1)])}
    police, grid = User.objects.get(username="police"), User.objects.get(username="grid1")

    def recorder(village):  # 长岗村's grid worker keeps its own ledgers; the police station the others
        return grid if village.pk == grid.division_id else police

    def village(index):
        return villages[village_code(TOWN, index)]

    # Generated for every village whether written or not, so the random sequence (and thus every
    # ledger's data) is the same whichever ledgers were already there.
    profiles, cameras, patrols = [], [], []
    for index in range(1, VILLAGE_COUNT + 1):
        v = village(index)
        full, part = rng.randint(1, 3), rng.randint(4, 9)
        profiles.append(SecurityProfile(
            division=v,
            police_officer="" if index in NO_OFFICER else OFFICERS[(index - 1) // 2],  # one officer covers two villages
            police_phone="" if index in NO_OFFICER else _phone(rng),
            patrol_team=f"{v.name}治安巡逻队",
            full_time_members=full,
            part_time_members=part,
            patrol_members="、".join(_name(rng) for _ in range(full + part)),
            key_site_guards=rng.randint(0, 3),
            mutual_watch_shops=rng.randint(5, 30),
            entry_registration=rng.random() < 0.85,
            updated_on=min(datetime.date(year, rng.randint(1, 3), rng.randint(1, 28)), last),
        ))
        if index in SHORT_OF_CAMERAS:  # 2 + 1 + 2 = 5 channels; 朱庄村's square camera is broken: 3
            sites, working = SHORT_SITES, [True, True, index != 13]
        else:  # at least 村委会 and two entrances and the square: 7 channels, of which at least 6 work
            sites = CAMERA_SITES[: rng.randint(4, len(CAMERA_SITES))]
            working = [rng.random() < 0.9 for _ in sites]
            while sum(channels for (_, _, channels), on in zip(sites, working) if on) < 6:
                working[working.index(False)] = True
        facilities = [(*site, on) for site, on in zip(sites, working)]
        facilities += [(*site, rng.random() < 0.9) for site in rng.sample(OTHER_FACILITIES, rng.randint(1, 2))]
        for location, kind, channels, on in facilities:
            cameras.append(Camera(
                division=v, location=location, kind=kind, channels=channels,
                networked=kind == FacilityKind.CAMERA and rng.random() < 0.8, working=on,
                installed_on=datetime.date(rng.randint(year - 4, year - 1), rng.randint(1, 12), rng.randint(1, 28)),
            ))
        for month in range(1, 13):
            for day in sorted(rng.sample(range(1, 29), rng.randint(1, 4))):
                found, handled = rng.choice(FINDINGS) if rng.random() < 0.2 else ("未发现异常", "")
                patrols.append(Patrol(
                    division=v, patrolled_on=datetime.date(year, month, day),
                    members="、".join(_name(rng) for _ in range(rng.randint(2, 4))), route=rng.choice(ROUTES),
                    hours=decimal.Decimal(rng.choice(["1.5", "2.0", "2.0", "2.5", "3.0"])), findings=found, handled=handled,
                ))

    in_town = {"division__parent__code": TOWN}
    with_profile = set(SecurityProfile.objects.alive().filter(**in_town).values_list("division", flat=True))
    _write(SecurityProfile, [p for p in profiles if p.division.pk not in with_profile], recorder,
           lambda p: _at(p.updated_on))
    if not Camera.objects.filter(**in_town).exists():
        _write(Camera, cameras, recorder, lambda c: _at(min(datetime.date(year, 1, 10), last)))
    if not Patrol.objects.filter(**in_town, patrolled_on__year=year).exists():
        _write(Patrol, [p for p in patrols if p.patrolled_on <= last], recorder, lambda p: _at(p.patrolled_on, 20))
    if not Clue.objects.filter(**in_town, reported_on__year=year).exists():
        departments = {d.name: d for d in Department.objects.filter(name__in={c[5] for c in CLUES})}
        clues = [
            Clue(division=village(index), reported_on=datetime.date(year, month, day), category=category, content=content,
                 reported_to=departments[department], status=status, result=result)
            for index, month, day, category, content, department, status, result in CLUES
        ]
        _write(Clue, [c for c in clues if c.reported_on <= last], recorder, lambda c: _at(c.reported_on, 16))


"""Demo 应急 records for the 20 villages of 长岗镇 in the demo year: an emergency team of 15–30
people per village (three villages below the plan's 20), about a third of them party members; a
shelter in most villages; basic supplies (two villages without a working generator); plans (most
villages have both a 防汛救灾 and a 紧急避险 plan); a micro fire station in most villages; and 0–3
drills per village (two villages held none).

Deterministic (a seeded random.Random) and idempotent: each ledger is written only when the town
has none of it yet. Every record is entered by the demo grid worker "grid1", and its 录入时间 lies
in the demo year, so that the state metrics (which ignore records entered after the year) count
them when the demo year is evaluated.
"""

import datetime
import random

from django.db import transaction

from safestar.core import clock
from safestar.org.demo import TOWN, VILLAGES, at as _at, person_name as _name, phone_number as _phone, village_code, write_backdated as _write
from safestar.org.models import Division, User

from .models import (
    DEFAULT_UNITS,
    Drill,
    DrillScenario,
    EmergencyMember,
    EmergencyPlan,
    EmergencySupply,
    FireStation,
    PlanKind,
    Shelter,
    SupplyCondition,
    SupplyItem,
    TeamRole,
)

VILLAGE_COUNT = len(VILLAGES[TOWN])  # 20
SMALL_TEAMS = {6, 13, 19}  # 刘寨村, 朱庄村, 黄庄村: fewer than 20 active members, to show in the scoring
NO_SHELTER = {12, 17}  # 马庄村, 吴庄村
NO_GENERATOR = {9, 16}  # 陈楼村 has none; 周楼村's only one is being repaired
NO_EVACUATION_PLAN = {5, 18}  # 张庄村, 徐庄村: only the flood plan
NO_FIRE_STATION = {8, 15}  # 孙庄村, 郭庄村
NO_DRILL = {10, 17}  # 杨集村, 吴庄村

SKILLS = ["电工", "驾驶", "医疗救护", "水上救援", "机械维修", "消防器材操作", "通信联络", "建筑施工", "无人机操作", ""]

SHELTER_SITES = [
    ("{v}小学操场", "村小学院内", "应急照明、饮用水、临时厕所、标识标牌"),
    ("{v}文化广场", "村委会南侧", "应急照明、广播、标识标牌、应急供水点"),
    ("{v}党群服务中心", "村委会院内", "应急照明、饮用水、床铺 40 张、物资储备点"),
]
STORES = ["村委会应急物资室", "党群服务中心仓库", "村卫生室"]

# (item, spec, quantity range)
SUPPLIES = [
    (SupplyItem.FLASHLIGHT, "充电式强光手电筒", (10, 30)),
    (SupplyItem.EXTINGUISHER, "4kg 干粉灭火器", (8, 24)),
    (SupplyItem.LIFE_JACKET, "成人救生衣", (10, 30)),
    (SupplyItem.SANDBAG, "编织袋沙袋", (200, 600)),
    (SupplyItem.TENT, "单帐篷（3×4 米）", (2, 6)),
    (SupplyItem.FIRST_AID, "家用急救包", (2, 8)),
]

EXTRA_PLANS = [
    (PlanKind.FIRE, "{v}消防安全应急预案"),
    (PlanKind.PRODUCTION, "{v}安全生产事故应急预案"),
    (PlanKind.GEOLOGICAL, "{v}地质灾害防治应急预案"),
]

# (scenario, title, description)
DRILLS = [
    (DrillScenario.NATURAL_DISASTER, "{v}防汛应急演练", "模拟强降雨致低洼处积水，演练群众转移、沙袋封堵和应急照明。"),
    (DrillScenario.FIRE, "{v}消防应急演练", "模拟村民家中电动车充电起火，演练报警、初起火灾扑救和人员疏散。"),
    (DrillScenario.DROWNING, "{v}防溺水应急演练", "模拟儿童坑塘落水，演练救生圈抛投、岸上施救和心肺复苏。"),
    (DrillScenario.NATURAL_DISASTER, "{v}紧急避险疏散演练", "模拟大风冰雹天气，演练广播预警、群众疏散至避难场所。"),
    (DrillScenario.PRODUCTION, "{v}安全生产应急演练", "模拟养殖场沼气泄漏，演练现场警戒、通风排险和伤员救护。"),
]


def _day(rng, year, months=(1, 12)):
    return datetime.date(year, rng.randint(*months), rng.randint(1, 28))


@transaction.atomic
def load(year):
    rng = random.Random(f"safestar-emergency-{year}")
    last = min(datetime.date(year, 12, 31), clock.today())  # nothing dated ahead of today
    entered = min(datetime.date(year, 1, 10), last)  # when the standing records were entered
    villages = {v.code: v for v in Division.objects.filter(code__in=[village_code(TOWN, i) for i in range(1, VILLAGE_COUNT + 1)])}
    grid = User.objects.get(username="grid1")

    # Generated for every village whether written or not, so that the random sequence (and thus
    # every ledger's data) is the same whichever ledgers were already there.
    members, shelters, supplies, plans, stations, drills = [], [], [], [], [], []
    for index in range(1, VILLAGE_COUNT + 1):
        v = villages[village_code(TOWN, index)]

        size = rng.randint(15, 19) if index in SMALL_TEAMS else rng.randint(20, 30)
        for n in range(size + rng.randint(0, 2)):  # a few former members, kept with 在队 unticked
            role = TeamRole.CAPTAIN if n == 0 else TeamRole.DEPUTY if n == 1 else TeamRole.MEMBER
            joined = _day(rng, rng.randint(year - 5, year)) if rng.random() < 0.85 else None
            members.append(EmergencyMember(
                division=v, name=_name(rng), role=role,
                party_member=n < 2 or rng.random() < 0.28,  # the captain and deputy, and about a quarter of the rest
                skills="、".join(s for s in dict.fromkeys([rng.choice(SKILLS), rng.choice(SKILLS)]) if s) if rng.random() < 0.7 else "",
                phone=_phone(rng), joined_on=min(joined, last) if joined else None, active=n < size,
            ))

        for template, location, facilities in rng.sample(SHELTER_SITES, rng.randint(1, 2)):
            capacity = rng.randrange(150, 601, 10)
            shelter = Shelter(
                division=v, name=template.format(v=v.name), location=location, capacity=capacity,
                area=capacity * rng.randint(2, 4) if rng.random() < 0.8 else None, facilities=facilities,
                opened_on=_day(rng, rng.randint(year - 4, year - 1)),
            )
            if index not in NO_SHELTER:
                shelters.append(shelter)

        store = rng.choice(STORES)
        generators = rng.randint(1, 2)
        stock = [] if index == 9 else [
            (SupplyItem.GENERATOR, "3kW 汽油发电机", generators, SupplyCondition.REPAIR if index == 16 else SupplyCondition.GOOD)
        ]
        for item, spec, (low, high) in SUPPLIES:
            stock.append((item, spec, rng.randint(low, high), SupplyCondition.GOOD))
            if item in (SupplyItem.EXTINGUISHER, SupplyItem.FLASHLIGHT) and rng.random() < 0.3:
                stock.append((item, spec, rng.randint(1, 3), rng.choice([SupplyCondition.REPAIR, SupplyCondition.SCRAPPED])))
        checked = _day(rng, year, (3, 11))
        for item, spec, quantity, condition in stock:
            supplies.append(EmergencySupply(
                division=v, item=item, spec=spec, quantity=quantity, unit=DEFAULT_UNITS[item], storage_location=store,
                checked_on=min(checked, last), condition=condition,
            ))

        kinds = [(PlanKind.FLOOD, f"{v.name}防汛救灾应急预案")]
        if index not in NO_EVACUATION_PLAN:
            kinds.append((PlanKind.EVACUATION, f"{v.name}紧急避险转移安置预案"))
        kinds += [(kind, title.format(v=v.name)) for kind, title in rng.sample(EXTRA_PLANS, rng.randint(0, 2))]
        for kind, title in kinds:
            approved = min(_day(rng, rng.choice([year - 1, year]), (3, 5)), last)
            plans.append(EmergencyPlan(
                division=v, kind=kind, title=title, approved_on=approved,
                approved_by=rng.choice([f"{v.name}村民委员会", "长岗镇应急管理办公室"]),
                next_revision_on=approved.replace(year=approved.year + 3),
            ))

        station = FireStation(
            division=v, name=f"{v.name}微型消防站", established_on=min(_day(rng, rng.randint(year - 3, year)), last),
            location=rng.choice(["村委会东侧", "村委会院内", "村文化广场北侧", "主干道十字路口"]), members=rng.randint(5, 10),
            equipment=f"手抬机动泵 1 台、水带 {rng.randint(6, 12)} 盘、水枪 2 支、灭火器 {rng.randint(6, 12)} 具、消防服 {rng.randint(4, 8)} 套",
            on_duty_24h=rng.random() < 0.6,
        )
        if index not in NO_FIRE_STATION:
            stations.append(station)

        count = rng.randint(1, 3)
        for scenario, title, description in rng.sample(DRILLS, count):
            months = (5, 7) if scenario == DrillScenario.NATURAL_DISASTER else (3, 11)
            drill = Drill(
                division=v, held_on=_day(rng, year, months), scenario=scenario, title=title.format(v=v.name),
                participants=rng.randint(20, 120), description=description,
            )
            if index not in NO_DRILL and drill.held_on <= last:
                drills.append(drill)

    in_town = {"division__parent__code": TOWN}
    if not EmergencyMember.objects.filter(**in_town).exists():
        _write(EmergencyMember, members, grid, lambda m: _at(max(m.joined_on or entered, entered)))
    if not Shelter.objects.filter(**in_town).exists():
        _write(Shelter, shelters, grid, lambda s: _at(entered))
    if not EmergencySupply.objects.filter(**in_town).exists():
        _write(EmergencySupply, supplies, grid, lambda s: _at(s.checked_on, 15))
    if not EmergencyPlan.objects.filter(**in_town).exists():
        _write(EmergencyPlan, plans, grid, lambda p: _at(max(p.approved_on, entered)))
    if not FireStation.objects.filter(**in_town).exists():
        _write(FireStation, stations, grid, lambda s: _at(max(s.established_on, entered)))
    if not Drill.objects.filter(**in_town, held_on__year=year).exists():
        _write(Drill, drills, grid, lambda d: _at(d.held_on, 17))


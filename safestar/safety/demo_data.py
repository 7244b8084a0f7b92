"""Demo 安全事故防范 records for the 20 villages of 长岗镇 in the demo year: 2–6 hazards per village
(mostly rectified; a few found late in the year still open; two villages with an overdue one),
a hazard patrol every month (two in some flood-season months; three villages missed 2–4 months),
the controlled goods held in each village (a farm shop's pesticides in every village, gas
cylinders, diesel, ...) and 1–4 joint safety checks.

Deterministic (one seeded random.Random) and idempotent: each ledger is written only when the
town has none of it yet (hazards, patrols and joint checks: none in the year; controlled goods, a
standing register: none at all). Nothing is dated after today.
"""

import calendar
import datetime
import decimal
import random

from django.db import transaction

from safestar.core import clock
from safestar.org.demo import TOWN, VILLAGES, person_name as _name, village_code
from safestar.org.models import Division, User

from .models import (
    CheckArea,
    CheckResult,
    ControlledGoods,
    GoodsCategory,
    Hazard,
    HazardInspection,
    HazardKind,
    RectificationStatus,
    RiskLevel,
    SafetyCheck,
)

VILLAGE_COUNT = len(VILLAGES[TOWN])  # 20
OPEN_AT_YEAR_END = {4, 11, 17}  # 王楼村, 高庄村, 吴庄村: a hazard found in December, deadline next year
OVERDUE = {9, 15}  # 陈楼村, 郭庄村: a hazard whose deadline passed in the autumn, still 整改中
UNCHECKED_GOODS = {6, 13}  # 刘寨村, 朱庄村: one holder last checked the year before
EXPLOSIVES = {8}  # 孙庄村: black powder handed in by a villager, kept for the police
KNIVES = {3, 16}  # 李庄村, 周楼村: a crossbow handed in
PATCHY_PATROLS = {7, 12, 18}  # 赵店村, 马庄村, 徐庄村: no patrol in 2–4 months (the plan wants one a month)


# (kind, location, description, risk level, days allowed for the rectification)
HAZARDS = [
    (HazardKind.POND, "村东大坑塘", "坑塘水深约2米，岸边无护栏、无警示牌，夏季常有儿童靠近", RiskLevel.HIGH, (15, 30)),
    (HazardKind.POND, "村南养鱼塘", "塘边缓坡湿滑，防护网破损", RiskLevel.MEDIUM, (10, 30)),
    (HazardKind.DRY_WELL, "村北田间废弃机井", "废弃机井井口无盖板，杂草遮挡不易发现", RiskLevel.HIGH, (3, 10)),
    (HazardKind.DRY_WELL, "村西枯井", "枯井井口盖板破损松动", RiskLevel.MEDIUM, (3, 10)),
    (HazardKind.BRIDGE, "村西生产桥", "桥面开裂、护栏缺失，经鉴定为危桥", RiskLevel.MAJOR, (60, 120)),
    (HazardKind.HOUSE, "村内独居老人旧宅", "土坯房墙体开裂，雨季有倒塌危险", RiskLevel.HIGH, (30, 60)),
    (HazardKind.HOUSE, "村小学旁闲置旧屋", "屋顶塌陷，无人居住但常有儿童进入", RiskLevel.MEDIUM, (20, 45)),
    (HazardKind.ELECTRICITY, "村委会南侧民房", "农户私拉电线给电动车充电，线路老化裸露", RiskLevel.MEDIUM, (3, 15)),
    (HazardKind.ELECTRICITY, "村中主干道", "线杆倾斜，电线低垂，离地不足3米", RiskLevel.HIGH, (7, 20)),
    (HazardKind.FIRE, "沿街商铺", "门店灭火器过期，疏散通道堆放杂物", RiskLevel.LOW, (3, 10)),
    (HazardKind.FIRE, "村北秸秆堆放点", "麦秸堆紧邻民房，防火间距不足", RiskLevel.MEDIUM, (7, 20)),
    (HazardKind.TRAFFIC, "村口与县道交叉路口", "路口视线被树木遮挡，缺少减速带和警示标志", RiskLevel.HIGH, (20, 45)),
    (HazardKind.TRAFFIC, "小学门前道路", "上下学时段车辆多，无斑马线和限速标志", RiskLevel.MEDIUM, (15, 30)),
    (HazardKind.OTHER, "文化广场健身器材", "部分器材锈蚀、螺丝松动", RiskLevel.LOW, (7, 15)),
]

ROUTES = [
    "村东坑塘—小学周边—村口路口",
    "村北机井—田间道路—秸秆堆放点",
    "村西生产桥—养鱼塘—村委会",
    "主干道—沿街商铺—文化广场",
]
ROUTINE = [
    ("沿线未发现新的安全隐患", ""),
    ("坑塘警示牌、防护栏完好", "向沿线村民宣传防溺水知识"),
    ("一处农户门前电动车飞线充电", "当场劝导拆除，宣传安全用电"),
    ("村口路段有农用车夜间无灯行驶", "提醒车主加装反光贴"),
    ("坑塘警示牌被风刮倒", "当场扶正加固"),
    ("一户村民柴草堆放紧靠灶房", "劝导挪开，宣传用火安全"),
]

# (category, holder pattern, item, unit, quantity range, storage)
GOODS = {
    GoodsCategory.PESTICIDE: [
        ("{surname}记农资店（店主{name}）", "草甘膦水剂", "瓶", (60, 300), "店内农药专柜加锁存放，专人保管，购销台账齐全"),
        ("{surname}记农资店（店主{name}）", "吡虫啉可湿性粉剂", "袋", (50, 200), "店内农药专柜加锁存放，与食品分开"),
        ("{village}村种植专业合作社", "高效氯氟氰菊酯乳油", "瓶", (20, 80), "合作社农药仓库单独存放，双人双锁"),
        ("{village}村种植专业合作社", "多菌灵可湿性粉剂", "袋", (20, 100), "合作社农药仓库单独存放，双人双锁"),
    ],
    GoodsCategory.CHEMICAL: [
        ("{village}村农家饭店（店主{name}）", "液化石油气钢瓶", "瓶", (2, 6), "厨房外单独气瓶间存放，安装燃气泄漏报警器"),
        ("{village}村农机专业合作社", "柴油", "升", (200, 800), "专用油罐存放，远离火源，配备灭火器"),
        ("{name}电动车维修铺", "蓄电池补充液（稀硫酸）", "升", (5, 20), "塑料桶密封存放于店内后间"),
    ],
}
EXPLOSIVE = ("{village}村委会（代管待移交）", "村民主动上交的黑火药", "千克", (1, 2), "铁皮柜加锁单独存放，已通知长岗派出所收缴")
KNIFE = ("{village}村委会（代管待移交）", "村民主动上交的弩", "把", (1, 1), "村委会档案室加锁存放，已通知长岗派出所收缴")

# area → (departments taking part, findings with problems, findings without)
CHECKS = {
    CheckArea.PRODUCTION: ("长岗镇应急管理办公室、镇安监站、村两委", "检查村内加工厂、养殖场，发现部分电气线路老化、安全警示标识缺失", "检查村内加工厂、养殖场，安全制度和设施齐全"),
    CheckArea.ECOLOGY: ("镇生态环境所、长岗镇应急管理办公室、村两委", "检查坑塘水体和养殖场粪污处理，发现有沿塘倾倒垃圾", "检查坑塘水体和养殖场粪污处理，未发现问题"),
    CheckArea.FOOD_DRUG: ("镇市场监管所、镇卫生院、村两委", "检查村内小超市、卫生室，发现少量过期食品、药品登记不全", "检查村内小超市、卫生室，未发现过期食品药品"),
    CheckArea.ROAD_TRAFFIC: ("长岗派出所、镇交管站、村两委", "检查村口路段和农用车辆，发现农用车违法载人、无牌电动三轮车", "检查村口路段和农用车辆，未发现违法行为"),
    CheckArea.FIRE: ("长岗镇应急管理办公室、长岗派出所、村两委", "检查沿街门店、村小学，发现灭火器过期、电动车楼道充电", "检查沿街门店、村小学，消防设施完好"),
}


def _date(rng, year, month, last_day):
    return min(datetime.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1])), last_day)


def _hazards(rng, year, index, village, last_day):
    records = []
    chosen = rng.sample(HAZARDS, rng.randint(2, 6))
    for n, (kind, location, description, risk, days) in enumerate(chosen):
        found_on = _date(rng, year, rng.randint(1, 10), last_day)
        deadline = found_on + datetime.timedelta(days=rng.randint(*days))
        status, rectified_on = RectificationStatus.RECTIFIED, found_on + datetime.timedelta(days=rng.randint(1, (deadline - found_on).days))
        last = n == len(chosen) - 1
        if last and index in OPEN_AT_YEAR_END:  # found in December, to be rectified next year
            found_on = _date(rng, year, 12, last_day)
            deadline = datetime.date(year + 1, 1, rng.randint(15, 31))
            status, rectified_on = rng.choice([RectificationStatus.PENDING, RectificationStatus.IN_PROGRESS]), None
        elif last and index in OVERDUE:  # the deadline passed in the autumn: overdue at the year's end
            found_on = _date(rng, year, 8, last_day)
            deadline = min(found_on + datetime.timedelta(days=rng.randint(45, 75)), datetime.date(year, 11, 30))
            status, rectified_on = RectificationStatus.IN_PROGRESS, None
        if rectified_on is not None and rectified_on > last_day:  # not yet: the demo never runs ahead
            status, rectified_on = RectificationStatus.IN_PROGRESS, None
        records.append(Hazard(
            division=village, kind=kind, location=location, description=description, risk_level=risk,
            responsible=_name(rng), found_on=found_on, deadline=deadline, status=status, rectified_on=rectified_on,
        ))
    return sorted(records, key=lambda h: h.found_on)


def _inspections(rng, year, village, hazards, last_day, patchy):
    records = []
    inspectors = [_name(rng), _name(rng)]
    missed = set(rng.sample(range(1, 13), rng.randint(2, 4))) if patchy else set()
    days = []
    for month in range(1, 13):
        if month not in missed:
            days.append(_date(rng, year, month, last_day))
        if month in (6, 7, 8) and rng.random() < 0.4:  # flood season: a second patrol of the ponds
            days.append(_date(rng, year, month, last_day))
    for inspected_on in sorted(set(days)):  # (days capped at today collapse into one)
        followed = [h for h in hazards if h.found_on <= inspected_on and (h.rectified_on is None or h.rectified_on >= inspected_on)]
        hazard = rng.choice(followed) if followed and rng.random() < 0.7 else None
        if hazard is None:
            finding, action = rng.choice(ROUTINE)
        elif hazard.rectified_on == inspected_on:
            finding, action = f"复查{hazard.location}：已按要求整改完毕", "现场验收，拍照留存"
        else:
            finding, action = f"复查{hazard.location}：{hazard.description}，整改尚未完成", "已设置警示标志，督促责任人按期整改"
        records.append(HazardInspection(
            division=village, inspected_on=inspected_on, inspector=rng.choice(inspectors), hazard=hazard,
            route=rng.choice(ROUTES), finding=finding, action=action,
        ))
    return records


def _goods(rng, year, index, village, last_day):
    name = village.name.removesuffix("村")
    picks = [(GoodsCategory.PESTICIDE, rng.choice(GOODS[GoodsCategory.PESTICIDE][:2]))]  # every village has a farm shop
    if rng.random() < 0.5:
        picks.append((GoodsCategory.PESTICIDE, rng.choice(GOODS[GoodsCategory.PESTICIDE][2:])))
    picks += [(GoodsCategory.CHEMICAL, g) for g in rng.sample(GOODS[GoodsCategory.CHEMICAL], rng.randint(0, 2))]
    if index in EXPLOSIVES:
        picks.append((GoodsCategory.EXPLOSIVE, EXPLOSIVE))
    if index in KNIVES:
        picks.append((GoodsCategory.KNIFE, KNIFE))
    records = []
    for n, (category, (holder, item, unit, quantity, storage)) in enumerate(picks):
        checked_on = _date(rng, year, rng.randint(3, 11), last_day)
        if n == len(picks) - 1 and index in UNCHECKED_GOODS:  # last checked the year before
            checked_on = _date(rng, year - 1, rng.randint(6, 12), last_day)
        person = _name(rng)
        records.append(ControlledGoods(
            division=village, category=category, holder=holder.format(surname=person[0], name=person, village=name),
            item=item, quantity=decimal.Decimal(rng.randint(*quantity)), unit=unit, storage=storage, checked_on=checked_on,
            result=CheckResult.TO_FIX if rng.random() < 0.15 else CheckResult.PASSED,
        ))
    return records


def _checks(rng, year, village, last_day):
    records = []
    months = sorted(rng.sample(range(2, 12), rng.randint(1, 4)))
    for month in months:
        area = rng.choice(list(CHECKS))
        departments, with_problems, without = CHECKS[area]
        found = rng.choice([0, 0, 1, 2, 3, 4, 5])
        rectified = found if rng.random() < 0.8 else max(found - 1, 0)
        records.append(SafetyCheck(
            division=village, checked_on=_date(rng, year, month, last_day), area=area, departments=departments,
            findings=with_problems if found else without, problems_found=found, problems_rectified=rectified,
        ))
    return records


@transaction.atomic
def load(year):
    in_town = {"division__parent__code": TOWN}
    rng = random.Random(f"safestar.safety:{year}")
    recorder = User.objects.get(username="grid1")
    codes = [village_code(TOWN, i) for i in range(1, VILLAGE_COUNT + 1)]
    villages = Division.objects.in_bulk(codes, field_name="code")
    last_day = min(datetime.date(year, 12, 31), clock.today())
    plans = {model: not model.objects.filter(**in_town, **{f"{field}__year": year}).exists()
             for model, field in [(Hazard, "found_on"), (HazardInspection, "inspected_on"), (SafetyCheck, "checked_on")]}
    plans[ControlledGoods] = not ControlledGoods.objects.filter(**in_town).exists()
    # Every village draws all its records from the one generator in the same order, whichever
    # ledgers are written, so that a record is the same whether it is written now or later.
    drafts = {model: [] for model in plans}
    for index, code in enumerate(codes, start=1):
        village = villages[code]
        hazards = _hazards(rng, year, index, village, last_day)
        drafts[Hazard] += hazards
        drafts[HazardInspection] += _inspections(rng, year, village, hazards, last_day, index in PATCHY_PATROLS)
        drafts[ControlledGoods] += _goods(rng, year, index, village, last_day)
        drafts[SafetyCheck] += _checks(rng, year, village, last_day)
    if not plans[Hazard]:  # the hazards are there already: patrols follow none of the drafts
        for inspection in drafts[HazardInspection]:
            inspection.hazard = None
    for model, records in drafts.items():
        if not plans[model]:
            continue
        for record in records:
            record.created_by = record.updated_by = recorder
        model.objects.bulk_create(records)  # hazards first: the patrols then refer to their ids

"""Demo key persons for 长岗镇: four in 长岗村 (包案人 village1) and two in 杨庄村 (包案人 village2),
registered in February of the demo year, with follow-up visits from then until today.

长岗村 is managed as the standard asks. In 杨庄村 a drug user's visits stopped in September of the demo
year (overdue then and now) and a cult-involved person is 脱管 with no measures recorded, so the
scheme's category 7 loses points there and the overdue list is not empty. Idempotent: nothing is
written when the town already has key persons. records() is the recipe (org/demo.py: also the
benchmark's, for every town); load() applies it.
"""

import datetime

from django.db import transaction

from safestar.clock import today
from safestar.core.validators import id_check_char
from safestar.org.demo import TOWN, Batch, demo_town, person_name, write
from safestar.org.models import Division

from .models import Category, KeyPerson, Status, Treatment, Visit, VisitKind

MEASURES = {
    "measures_management": "纳入网格化管理，包案人每月见面谈话，外出须报告",
    "measures_education": "每季度参加法治教育，签订遵纪守法承诺书",
    "measures_service": "协助办理低保、推荐就近务工",
}

RESPONSIBLE = [(1, "village1"), (2, "village2")]  # village index → its cadre, the 包案人
# (village index, 包案人, name, birth date, categories, status, details, measures?, visits stop on)
PERSONS = [
    (1, "village1", "王建国", "19820314", ["released"], Status.MANAGED,
     {"release_date": datetime.date(2022, 8, 15), "sentence": "盗窃罪，有期徒刑二年"}, True, None),
    (1, "village1", "李红梅", "19900521", ["correction"], Status.MANAGED,
     {"correction_start": datetime.date(2023, 3, 1), "correction_end": datetime.date(2027, 2, 28)}, True, None),
    (1, "village1", "张德顺", "19680902", ["mental"], Status.MANAGED,
     {"guardian_name": "张秀英", "guardian_relation": "配偶", "guardian_phone": "13837012345", "risk_grade": 1, "treatment": Treatment.HOME}, True, None),
    (1, "village1", "赵小龙", "20070716", ["youth"], Status.MANAGED, {}, True, None),
    (2, "village2", "刘海波", "19851130", ["drugs"], Status.MANAGED,
     {"drug_tests": "2023-03 尿检阴性；2023-06 尿检阴性；2023-09 尿检阴性"}, True, datetime.date(2023, 9, 20)),
    (2, "village2", "孙玉兰", "19560408", ["cult"], Status.LOST, {}, False, None),
]
FINDINGS = {
    "released": "见面谈话，本人在县城务工，情绪稳定，无异常",
    "correction": "核实在位情况，按时报到，参加公益活动",
    "mental": "入户随访，按时服药，监护人在家看护，病情稳定",
    "youth": "与家长、学校沟通，在校表现正常",
    "drugs": "见面谈话并尿检，结果阴性",
    "cult": "上门走访未见本人，家属称外出",
}


def _id_number(region, birth, seq):
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


# The benchmark's key persons (records() with an rng): in every village without named ones, 3–7
# (about 5, as a village really has), visited about every two months (about 6 visits a year, some
# late), in the categories villages most often register. (category, details)
GENERATED = [
    ("released", lambda rng, year: {"release_date": datetime.date(year - rng.randint(1, 4), rng.randint(1, 12), rng.randint(1, 28)),
                                    "sentence": rng.choice(["盗窃罪，有期徒刑一年", "故意伤害罪，有期徒刑二年", "诈骗罪，有期徒刑三年"])}),
    ("correction", lambda rng, year: {"correction_start": datetime.date(year - 1, rng.randint(1, 12), rng.randint(1, 28)),
                                      "correction_end": datetime.date(year + 1, rng.randint(1, 12), rng.randint(1, 28))}),
    ("youth", lambda rng, year: {}),
    ("drugs", lambda rng, year: {"drug_tests": f"{year}-03 尿检阴性；{year}-09 尿检阴性"}),
    ("mental", lambda rng, year: {"guardian_name": rng.choice("王李张刘陈杨") + rng.choice(["秀英", "桂兰", "国强", "建华"]),
                                  "guardian_relation": rng.choice(["配偶", "父亲", "母亲", "子女"]),
                                  "guardian_phone": f"138{rng.randrange(10**8):08d}", "risk_grade": rng.choice([0, 1, 1, 2]),
                                  "treatment": Treatment.HOME}),
]
NAMED_BIRTHS = {p[3] for p in PERSONS}


def _generated(town, rng, categories):
    """About 5 key persons in each village without named ones, each with about 6 visits a year; ID
    numbers unique in the province: the birth date is the town's (serial × 7 days from 1955) and the
    sequence number the person's place in the town (500–999)."""
    named = {index for index, *_ in PERSONS}
    persons, links, visits = [], [], []
    birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=(town.serial * 7) % 18000)
    if birth.strftime("%Y%m%d") in NAMED_BIRTHS:
        birth += datetime.timedelta(days=1)
    last = min(datetime.date(town.year, 12, 31), today())
    k = 0
    for index, village in town.numbered():
        if index in named:
            continue
        for _ in range(rng.randint(3, 7)):
            code, details = rng.choice(GENERATED)
            registered = datetime.date(town.year - rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
            registered = min(registered, last)
            person = KeyPerson(
                division=village, name=person_name(rng), id_number=_id_number(village.code[:6], birth.strftime("%Y%m%d"), 500 + k),
                phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}", address=f"{village.name}{rng.randint(1, 9)}组",
                status=Status.MANAGED, registered_on=registered, **details(rng, town.year), **MEASURES,
            )
            k += 1
            persons.append(person)
            links.append(KeyPerson.categories.through(keyperson=person, category=categories[code]))
            day = max(registered, datetime.date(town.year, 1, 1)) + datetime.timedelta(days=rng.randint(3, 40))
            while day <= last:
                visits.append(Visit(division=village, person=person, visited_on=day, visitor=person_name(rng),
                                    kind=VisitKind.CHECK if code == "drugs" else VisitKind.HELP if code == "released" else VisitKind.VISIT,
                                    findings=FINDINGS[code]))
                day += datetime.timedelta(days=rng.randint(45, 75))
    return persons, links, visits


def records(town, rng):
    """The recipe: a town's key persons, their categories and their visits (org.demo.Town; shared
    with the benchmark, where ID numbers differ between towns by the town's serial). The demo
    (rng None) has the named persons of 长岗村 and 杨庄村 only; the benchmark (an rng) adds about 5
    in every other village with about 6 visits a year each (`_generated`)."""
    registered = datetime.date(town.year, 2, 10)
    categories = Category.objects.in_bulk(field_name="code")
    persons, links, visits = _generated(town, rng, categories) if rng is not None else ([], [], [])
    for seq, (index, responsible, name, birth, cats, status, details, measures, stop) in enumerate(PERSONS, start=1):
        village = town.village(index)
        if village is None:
            continue
        responsible = town.users.get(responsible)
        person = KeyPerson(
            division=village, name=name, id_number=_id_number(village.code[:6], birth, seq * 2 + 11 + 12 * town.serial),
            phone=f"1393701{seq:04d}", address=f"{village.name}{seq}组", status=status, responsible=responsible,
            registered_on=registered,
            **details, **(MEASURES if measures else {}),
        )
        persons.append(person)
        links += [KeyPerson.categories.through(keyperson=person, category=categories[c]) for c in cats]
        if status != Status.MANAGED:
            continue
        interval = min(categories[c].visit_interval_days for c in cats)
        day = registered + datetime.timedelta(days=3)
        last = min(stop or today(), today())
        while day <= last:
            visits.append(Visit(
                division=village, person=person, visited_on=day,
                visitor=(responsible.full_name if responsible else "") or dict(RESPONSIBLE)[index],
                kind=VisitKind.CHECK if cats == ["drugs"] else VisitKind.HELP if cats == ["released"] else VisitKind.VISIT,
                findings=FINDINGS[cats[0]], created_by=responsible, updated_by=responsible,
            ))
            day += datetime.timedelta(days=interval - 5)
    return [Batch(KeyPerson, persons), Batch(KeyPerson.categories.through, links), Batch(Visit, visits)]


def load(year):
    if KeyPerson.objects.filter(division__path__startswith=Division.objects.get(code=TOWN).path).exists():
        return
    town = demo_town(year, users=("town", *dict(RESPONSIBLE).values()))
    with transaction.atomic():
        persons, links, visits = records(town, None)
        write(persons, town.users["town"])
        write(links)
        write(visits)  # by each person's 包案人, as the recipe says

"""Demo data: the 睢县 tree, 长岗镇 with 20 villages, 平岗镇 with 5, departments and one account per
role. Idempotent: running it again updates in place and creates nothing twice."""

import datetime
import os
from dataclasses import dataclass, field

from django.db import transaction

from .services import BUNDLED_CSV, load_divisions, read_division_csv, subtree
from .models import Department, Division, User
from .roles import DataField as F
from .roles import DepartmentKind as K
from .roles import Level, Role

DEFAULT_PASSWORD = "Safestar@2023"
CITY = "411400000000"  # 商丘市
COUNTY = "411422000000"  # 睢县
TOWN = "411422100000"  # 长岗镇
TOWN2 = "411422101000"  # 平岗镇

VILLAGES = {
    TOWN: "长岗 杨庄 李庄 王楼 张庄 刘寨 赵店 孙庄 陈楼 杨集 高庄 马庄 朱庄 胡寨 郭庄 周楼 吴庄 徐庄 黄庄 宋集".split(),
    TOWN2: "平岗 东关 西关 魏庄 许楼".split(),
}

DEPARTMENTS = [
    # (division code, name, kind, fields)
    (COUNTY, "睢县公安局", K.POLICE, [F.SECURITY, F.INCIDENTS, F.KEYPERSONS]),
    (COUNTY, "睢县司法局", K.JUSTICE, [F.DISPUTES, F.PUBLICITY, F.KEYPERSONS]),
    (COUNTY, "睢县应急管理局", K.EMERGENCY, [F.EMERGENCY, F.SAFETY, F.INCIDENTS]),
    (COUNTY, "睢县信访局", K.PETITION, [F.PETITIONS, F.INCIDENTS]),
    (COUNTY, "睢县民族宗教事务局", K.RELIGION, [F.RELIGION, F.INCIDENTS]),
    (COUNTY, "睢县卫生健康委员会", K.HEALTH, [F.KEYPERSONS]),
    (COUNTY, "中共睢县县委组织部", K.ORGANIZATION, [F.CREATION]),
    (COUNTY, "中共睢县县委政法委员会", K.POLITICAL_LEGAL, [F.INCIDENTS, F.EVALUATION, F.CREATION]),
    (TOWN, "长岗派出所", K.POLICE, [F.SECURITY, F.INCIDENTS, F.KEYPERSONS]),
    (TOWN, "长岗镇司法所", K.JUSTICE, [F.DISPUTES, F.PUBLICITY, F.KEYPERSONS]),
    (TOWN, "长岗镇应急管理办公室", K.EMERGENCY, [F.EMERGENCY, F.SAFETY]),
    (TOWN, "长岗镇信访办公室", K.PETITION, [F.PETITIONS]),
    (TOWN, "长岗镇平安建设工作领导小组办公室", K.SAFETY_OFFICE, list(F)),
    (TOWN2, "平岗派出所", K.POLICE, [F.SECURITY, F.INCIDENTS, F.KEYPERSONS]),
]

ACCOUNTS = [
    # (username, full name, role, division code, department name)
    ("admin", "系统管理员", Role.SYSADMIN, COUNTY, None),
    ("auditor", "安全审计员", Role.AUDITOR, COUNTY, None),
    ("city", "商丘市委政法委", Role.CITY, CITY, None),
    ("county", "县政法委评查员", Role.COUNTY, COUNTY, None),
    ("town", "长岗镇平安办", Role.TOWN, TOWN, None),
    ("taskforce", "长岗镇工作专班", Role.TASKFORCE, TOWN, None),
    ("town2", "平岗镇平安办", Role.TOWN, TOWN2, None),
    ("police", "长岗派出所民警", Role.DEPARTMENT, TOWN, "长岗派出所"),
    ("village1", "长岗村村干部", Role.VILLAGE, "411422100201", None),
    ("village2", "杨庄村村干部", Role.VILLAGE, "411422100202", None),
    ("grid1", "长岗村网格员", Role.GRID, "411422100201", None),
]


DEMO_YEAR = 2023  # the year of the Changgang plan: the demo ledgers hold a believable 2023


def demo_modules():
    """The demo_data modules of the installed apps, in INSTALLED_APPS order."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    return [
        import_module(f"{app.name}.demo_data")
        for app in apps.get_app_configs()
        if find_spec(f"{app.name}.demo_data") is not None
    ]


# Shared by the apps' demo_data.py: believable names and phone numbers, and moments in the demo year
# to backdate records to (the ledgers' "entered by the year's end" metrics read created_at).
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许"
GIVEN = "国强 卫东 志刚 红军 建设 永福 富贵 长青 保国 金山 玉林 春生 秋实 明亮 秀英 桂兰 玉梅 海燕 德胜 建华".split()


def person_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone_number(rng):
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def village_code(town_code, index):
    return f"{town_code[:9]}{200 + index:03d}"


# ── Data recipes ─────────────────────────────────────────────────────────────────────────────
# A ledger app's demo_data.py has two parts: records(town, rng), its data recipe, which makes one
# town's year of records (unsaved) and nothing else; and load(year), which applies it to 长岗镇 and
# writes what is not there yet. The benchmark (safestar/bench) applies the same recipes to every
# town of the province, so a new ledger's recipe is in the benchmark as soon as it exists.


@dataclass
class Town:
    """What a recipe makes records for: a town's villages (index 1 is villages[0]; a recipe skips
    the villages it names that the town does not have), the year, and the accounts and departments
    its records name (none in the benchmark, which has neither)."""

    villages: list
    year: int
    users: dict = field(default_factory=dict)  # username → User
    departments: dict = field(default_factory=dict)  # name → Department
    serial: int = 0  # the town's place in a run of towns (the benchmark's), for what must differ between towns

    @property
    def last(self):
        """No record is dated after this day: the year's end, or today in the current year."""
        from safestar.clock import today

        return min(datetime.date(self.year, 12, 31), today())

    def village(self, index):
        return self.villages[index - 1] if 1 <= index <= len(self.villages) else None

    def numbered(self):
        """(index, village) of every village, from 1."""
        return enumerate(self.villages, start=1)


@dataclass
class Batch:
    """Records of one model made by a recipe, in the order they are written (a batch another one
    refers to comes first)."""

    model: type
    records: list


def write(batch, recorder=None):
    """Write a recipe's batch as the demo enters it: by `recorder` (a user, or a function of the
    record's village that gives one; None for rows without an author, such as links). 录入时间 is when
    the demo is loaded, as for any record: records are dated by their own dates (入队日期, 安装日期 …)
    and no metric reads when they were entered."""
    for obj in batch.records if recorder is not None else ():
        obj.created_by = obj.updated_by = recorder(obj.division) if callable(recorder) else recorder
    batch.model.objects.bulk_create(batch.records, batch_size=500)


def demo_town(year, users=(), departments=()):
    """长岗镇's 20 villages for the demo of `year`, with the named accounts and departments."""
    codes = [village_code(TOWN, index) for index in range(1, len(VILLAGES[TOWN]) + 1)]
    villages = Division.objects.in_bulk(codes, field_name="code")
    return Town(
        villages=[villages[code] for code in codes], year=year,
        users=User.objects.in_bulk(list(users), field_name="username"),
        departments={d.name: d for d in Department.objects.filter(name__in=departments)},
    )


@transaction.atomic
def load_demo(password=None):
    password = password or os.environ.get("SAFESTAR_DEMO_PASSWORD") or DEFAULT_PASSWORD
    load_divisions(subtree(read_division_csv(BUNDLED_CSV), COUNTY))
    for town_code, names in VILLAGES.items():
        town = Division.objects.get(code=town_code)
        for i, name in enumerate(names, start=1):
            village, _ = Division.objects.get_or_create(
                code=village_code(town_code, i), defaults={"name": f"{name}村", "level": Level.VILLAGE, "parent": town}
            )
    divisions = {d.code: d for d in Division.objects.filter(level__in=[Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE])}
    departments = {}
    for code, name, kind, fields in DEPARTMENTS:
        departments[name], _ = Department.objects.update_or_create(
            division=divisions[code], name=name, defaults={"kind": kind, "fields": [str(f) for f in fields]}
        )
    for username, full_name, role, code, department in ACCOUNTS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "division": divisions[code],
                "department": departments.get(department),
                "is_active": True,
            },
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    return len(ACCOUNTS)

"""The province-scale benchmark: a generator of benchmark data, and the timing of an evaluation
against the bare SQL aggregates it needs (`safestar bench generate` / `safestar bench evaluate`).

generate() loads the whole bundled Henan division tree, adds N villages to every town (codes
town[:9] + "201".."2NN") and fills, for one year, every ledger the Changgang scheme reads at
realistic per-village rates (_Builder.village; docs/benchmarks.md lists them). It writes only into a dedicated, empty database: it refuses
a database that has accounts or departments (a demo or a real one) and one that already has
villages or ledger records (a benchmark generated before: drop and recreate the database).

run_evaluation() times, in one run and on the same villages queryset:
- bare: exactly the queries facts.gather() issues (each metric's compute(), each record group's
  record_stats(), the incident query), results fetched and nothing else;
- full: service.results(scheme, villages), i.e. the village list, gather(), the manual scores, the
  engine and ranking;
and reports the medians, their ratio, the number of queries of each, whether the bare queries are
the very SQL gather() issues, and (for reference) the same SQL run straight on a DB cursor.

Speed is measured here only; tests run this at a tiny scale and never assert on timings.
"""

import datetime
import gc
import os
import random
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

PROVINCE = "410000000000"
TARGET = 1.5  # full evaluation within 1.5× the bare aggregates
MAX_VILLAGES_PER_TOWN = 99  # village codes 201..299
CHUNK_VILLAGES = 1000  # villages whose records are built in memory at once
BATCH_SIZE = 5000  # rows per INSERT


class BenchError(Exception):
    """A refusal or a wrong argument, with the message for the operator."""


def database_label():
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}（{name}）"
    if connection.vendor == "postgresql":
        major, rest = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{rest % 100}（{name}）"
    return f"{connection.vendor}（{name}）"


# ── Guards ───────────────────────────────────────────────────────────────────────────────────


def ensure_dedicated_database():
    """Refuse a database with accounts or departments: the benchmark must never pollute a real or
    demo database (the generator writes ~50 000 villages and millions of records)."""
    from safestar.org.models import Department, User

    users, departments = User.objects.count(), Department.objects.count()
    if users or departments:
        demo = "，其中有演示账号 town" if User.objects.filter(username="town").exists() else ""
        raise BenchError(
            f"拒绝执行：当前数据库 {database_label()} 中已有 {users} 个账号、{departments} 个部门{demo}，"
            "不是专用的基准测试数据库。基准测试会写入约五万个村和数百万条台账记录，绝不能写进真实或演示数据库。"
            "请另建一个空数据库（如 SAFESTAR_VAR=/tmp/bench-sqlite，或 DATABASE_URL=postgres://postgres@127.0.0.1:5432/safestar_bench），"
            "执行 safestar migrate 后再运行。"
        )


def ensure_no_benchmark_data():
    from safestar.core.ledger import LEDGERS
    from safestar.org.models import Division

    villages = Division.objects.filter(level="village").count()
    records = sum(ledger.model.objects.count() for ledger in LEDGERS.values())
    if villages or records:
        raise BenchError(
            f"当前数据库 {database_label()} 中已有 {villages} 个村、{records} 条台账记录（可能是此前生成的基准数据）。"
            "生成器不追加也不覆盖数据：如需重新生成，请删除并重建该数据库（SQLite 删除 SAFESTAR_VAR 下的 safestar.sqlite3，"
            "PostgreSQL 用 dropdb/createdb），执行 safestar migrate 后再运行。"
        )


# ── Generator ────────────────────────────────────────────────────────────────────────────────

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
PLACE_SUFFIXES = "庄 楼 寨 集 店 营 屯 岗 湾 洼 桥 口 园 堂 铺 湖 河 坡 沟 岭 台 坊 阁 洲".split()
GIVEN = ["国强", "卫东", "志刚", "红军", "建设", "永福", "富贵", "长青", "保国", "金山", "玉林", "春生", "秋实", "明亮",
         "德胜", "学军", "新民", "海军", "红旗", "向阳", "振华", "军伟", "丽娟", "秀英", "桂兰", "晓东", "俊杰", "海涛"]
ROUTES = ["村委会—学校—集贸市场—村东口", "村西口—文化广场—卫生室", "主街—养殖区—坑塘", "村南路—小学—村北口", "农田机井—村东桥"]
FIRMS = ["河南正义律师事务所", "睢州律师事务所", "镇司法所", "明德律师事务所", "中原法汇律师事务所"]
HOURS = [Decimal("1.0"), Decimal("1.5"), Decimal("2.0"), Decimal("2.5"), Decimal("3.0")]
TOPICS = (  # (topic, weight): about 15 activities a village a year
    ("law", 3), ("case_explained", 2), ("anti_fraud", 4), ("illegal_fundraising", 1), ("online_gambling", 1),
    ("pyramid_selling", 1), ("anti_cult", 1), ("atheism", 0.5), ("safety", 2), ("other", 0.5),
)
ONLINE = ("tv", "sms", "wechat", "douyin")
OFFLINE = ("loudspeaker", "screen", "board", "bus_ad", "meeting", "door_to_door")
HEADCOUNT = ("meeting", "door_to_door")
PLAN_TITLES = {"flood": "防汛救灾", "evacuation": "紧急避险", "fire": "消防"}

def _models():
    from safestar.disputes.models import Dispute, LegalAdvisor, Mediator, Petition, StabilityMeeting
    from safestar.emergency.models import Drill, EmergencyMember, EmergencyPlan, EmergencySupply, FireStation, Shelter
    from safestar.incidents.models import Incident
    from safestar.publicity.models import Activity
    from safestar.religion.models import ReligiousActivity, ReligiousVenue
    from safestar.safety.models import ControlledGoods, Hazard, HazardInspection, SafetyCheck
    from safestar.security.models import Camera, Clue, Patrol, SecurityProfile

    return [
        SecurityProfile, Camera, Patrol, Clue, LegalAdvisor, Mediator, Dispute, Petition, StabilityMeeting, Activity,
        Hazard, HazardInspection, ControlledGoods, SafetyCheck, ReligiousVenue, ReligiousActivity, EmergencyMember,
        Shelter, EmergencySupply, EmergencyPlan, FireStation, Drill, Incident,
    ]


class _Table:
    """Rows of one ledger model inserted straight with executemany: the values as the model's own
    fields prepare them for the database (so encrypted fields are encrypted), without building model
    instances or compiling an INSERT per batch (bulk_create spends ~90 % of its time there, which
    at ~6 million rows is tens of minutes). created_at / updated_at are given explicitly: the state
    metrics ignore records entered after the evaluated year, so "now" would not do."""

    def __init__(self, model):
        from safestar.core.crypto import EncryptedTextField

        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.keys = [f.attname for f in fields]
        self.defaults = [None if f.null and not f.has_default() else f.get_default() for f in fields]
        self.convert = []
        for f in fields:
            if isinstance(f, EncryptedTextField):
                self.convert.append(lambda value, f=f: f.get_db_prep_save(value, connection))
            elif isinstance(f, (models.DateField, models.DecimalField)):  # DateTimeField too; few distinct values
                self.convert.append(self._memo(f))
            else:
                self.convert.append(None)
        qn = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        self.rows = []
        self.count = 0
        self.checked = False

    @staticmethod
    def _memo(f):
        cache = {}

        def convert(value):
            if value not in cache:
                cache[value] = f.get_db_prep_save(value, connection)
            return cache[value]

        return convert

    def add(self, values):
        if not self.checked:  # a misspelt field would silently take its default
            unknown = set(values) - set(self.keys)
            if unknown:
                raise ValueError(f"{self.model.__name__} has no field {', '.join(sorted(unknown))}")
            self.checked = True
        row = []
        for key, default, convert in zip(self.keys, self.defaults, self.convert):
            value = values.get(key, default)
            row.append(convert(value) if convert is not None else value)
        self.rows.append(row)

    def flush(self):
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), BATCH_SIZE):
                cursor.executemany(self.sql, self.rows[start:start + BATCH_SIZE])
        self.count += len(self.rows)
        self.rows.clear()


def _poisson(rng, mean):
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class _Builder:
    """Builds one village's records for the year, deterministically from the seeded rng."""

    def __init__(self, rng, year, kinds):
        self.rng, self.year, self.kinds = rng, year, kinds  # kinds: [(incident kind id, name)]
        self.last = min(datetime.date(year, 12, 31), datetime.date.today())  # nothing dated ahead of today
        first = datetime.date(year, 1, 1)
        self.days = [first + datetime.timedelta(n) for n in range((self.last - first).days + 1)]
        self.entered = min(datetime.date(year, 1, 10), self.last)  # when the standing records were entered
        self._stamps = {}
        self.tables = {model.__name__: _Table(model) for model in _models()}

    def stamp(self, day, hour=9):
        key = (day, hour)
        if key not in self._stamps:
            self._stamps[key] = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        return self._stamps[key]

    def day(self):
        return self.rng.choice(self.days)

    def past_day(self, years_back):
        """A day in one of the `years_back` years before the year, or in the year."""
        rng = self.rng
        year = self.year - rng.randint(0, years_back)
        day = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        return min(day, self.last)

    def after(self, day, low, high):
        return day + datetime.timedelta(self.rng.randint(low, high))

    def person(self):
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self):
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"

    def add(self, model_name, division, entered, updated=None, /, **values):
        values.update(division_id=division, created_at=entered, updated_at=updated or entered)
        self.tables[model_name].add(values)

    def village(self, vid, vname):  # noqa: PLR0915 (one flat recipe per ledger reads best)
        rng, stamp, day = self.rng, self.stamp, self.day
        entered = stamp(self.entered)

        # 治安防控: the profile, ~3 facilities (≈ 6.4 camera channels: about half the villages reach 6), ~24 patrols, clues
        officer = self.person() if rng.random() < 0.93 else ""
        updated_on = day()
        self.add(
            "SecurityProfile", vid, entered, stamp(updated_on, 16), police_officer=officer,
            police_phone=self.phone() if officer else "", patrol_team=f"{vname}治安巡逻队",
            full_time_members=rng.randint(0, 3), part_time_members=rng.randint(1, 8),
            patrol_members="", key_site_guards=rng.randint(0, 2), mutual_watch_shops=rng.choice((0, 0, 3, 6, 8, 12, 15, 20)),
            entry_registration=rng.random() < 0.7, updated_on=updated_on,
        )
        for _ in range(rng.randint(1, 5)):
            kind = "camera" if rng.random() < 0.85 else rng.choice(("alarm", "barrier"))
            installed = self.past_day(5) if rng.random() < 0.85 else None
            self.add(
                "Camera", vid, stamp(installed) if installed and installed.year == self.year else entered,
                location=rng.choice(("村委会门口", "村东口", "村西口", "集贸市场", "小学门口", "主街十字路口")),
                kind=kind, channels=rng.randint(1, 4) if kind == "camera" else None,
                networked=rng.random() < 0.7, working=rng.random() < 0.92, installed_on=installed,
            )
        for _ in range(rng.randint(14, 34)):
            when = day()
            self.add(
                "Patrol", vid, stamp(when, 20), patrolled_on=when, members=f"{self.person()}、{self.person()}、{self.person()}",
                route=rng.choice(ROUTES), hours=rng.choice(HOURS),
                findings="" if rng.random() < 0.8 else "发现一处电动车充电线私拉乱接", handled="",
            )
        for _ in range(rng.randint(0, 4)):
            when = day()
            status = rng.choice(("reported", "handling", "closed", "closed"))
            self.add(
                "Clue", vid, stamp(when, 11), reported_on=when,
                category=rng.choice(("vice", "women_children", "gangs", "village_bully", "other")),
                content="村民反映有人夜间聚集，疑似赌博", status=status, result="已核查处理" if status == "closed" else "",
            )

        # 矛盾纠纷: 1 legal advisor, ~6 mediators, ~3 disputes (≈ 90 % resolved), ~0.5 petitions, ~6 meetings
        self.add(
            "LegalAdvisor", vid, entered, name=self.person(), organisation=rng.choice(FIRMS), phone=self.phone(),
            appointed_on=self.past_day(3), visits_per_month=rng.choice((None, 1, 2, 4)), active=rng.random() < 0.97,
        )
        for n in range(rng.randint(3, 9)):
            self.add(
                "Mediator", vid, entered, name=self.person(), role="director" if n == 0 else rng.choice(("member", "mediator", "grid")),
                phone=self.phone(), appointed_on=self.past_day(4), party_member=rng.random() < 0.4,
                trained=rng.random() < 0.7, active=rng.random() < 0.93,
            )
        for _ in range(rng.randint(0, 6)):
            received = day()
            roll = rng.random()
            stage = "resolved" if roll < 0.88 else "referred" if roll < 0.93 else rng.choice(("accepted", "mediating"))
            closed = min(self.after(received, 1, 25), self.last) if stage in ("resolved", "referred") else None
            self.add(
                "Dispute", vid, stamp(received, 10), stamp(closed or received, 17), received_on=received,
                source=rng.choice(("screening", "reported", "assigned")), parties="张某某、李某某",
                category=rng.choice(("family", "neighbour", "land", "homestead", "labour", "debt")),
                summary="双方因宅基地界址发生争执", stage=stage, deadline=self.after(received, 15, 30), closed_on=closed,
                result="经调解达成协议" if stage == "resolved" else "", referred_to="镇司法所" if stage == "referred" else "",
            )
        for _ in range(_poisson(rng, 0.5)):
            received = day()
            backlog = rng.random() < 0.2
            status = rng.choice(("handling", "concluded", "settled", "settled"))
            settled = min(self.after(received, 5, 60), self.last) if status == "settled" else None
            self.add(
                "Petition", vid, stamp(received, 10), received_on=received, petitioner="王某某",
                channel=rng.choice(("visit", "letter", "online", "phone")), matter="反映土地承包问题",
                is_backlog=backlog, status=status, settled_on=settled, result="已答复" if status != "handling" else "",
            )
        for _ in range(rng.randint(2, 10)):
            when = day()
            self.add(
                "StabilityMeeting", vid, stamp(when, 15), held_on=when, kind=rng.choice(("regular", "regular", "special", "occasion")),
                participants="村两委成员、驻村民警、网格员", risks="", measures="", warnings_issued=rng.randint(0, 2),
            )

        # 宣传: ~15 activities over the topics and channels
        topics, weights = zip(*TOPICS)
        for topic in rng.choices(topics, weights, k=rng.randint(8, 22)):
            when = day()
            channel = rng.choice(ONLINE) if rng.random() < 0.45 else rng.choice(OFFLINE)
            participants = rng.randint(20, 150) if channel in HEADCOUNT or rng.random() < 0.5 else None
            installs = min(rng.randint(0, 30), participants or 0) if topic == "anti_fraud" else 0
            self.add(
                "Activity", vid, stamp(when, 15), held_on=when, topic=topic, channel=channel, title=f"{vname}宣传活动",
                audience="全体村民", participants=participants, app_installs=installs, materials=rng.randint(0, 100),
                organiser=f"{vname}村委会", content="",
            )

        # 安全: ~4 hazards, ~12 inspections, ~3 controlled goods (≈ 15 % not checked in the year), ~2 joint checks
        for _ in range(rng.randint(1, 7)):
            found = day()
            roll = rng.random()
            rectified = min(self.after(found, 3, 40), self.last) if roll < 0.8 else None
            status = "rectified" if rectified else "in_progress" if roll < 0.9 else "pending"
            self.add(
                "Hazard", vid, stamp(found, 11), stamp(rectified or found, 16),
                kind=rng.choice(("pond", "dry_well", "bridge", "house", "electricity", "fire", "traffic")),
                location="村东坑塘", description="护栏缺失", risk_level=rng.choice(("low", "medium", "medium", "high")),
                responsible=self.person(), found_on=found, deadline=self.after(found, 15, 45), status=status,
                rectified_on=rectified,
            )
        for _ in range(rng.randint(6, 18)):
            when = day()
            self.add(
                "HazardInspection", vid, stamp(when, 10), inspected_on=when, inspector=self.person(),
                route="坑塘、枯井、危桥、危房", finding="未发现新隐患", action="",
            )
        for _ in range(rng.randint(1, 5)):
            checked = day() if rng.random() < 0.85 else datetime.date(self.year - 1, rng.randint(1, 12), rng.randint(1, 28))
            self.add(
                "ControlledGoods", vid, entered, stamp(checked) if checked.year == self.year else entered,
                category=rng.choice(("pesticide", "chemical", "explosive", "knife")), holder=f"{self.person()}农资店",
                item="农药", quantity=Decimal(rng.randint(1, 200)), unit="公斤", storage="专柜加锁存放",
                checked_on=checked, result="passed" if rng.random() < 0.9 else "to_fix",
            )
        for _ in range(rng.randint(0, 4)):
            when = day()
            found = rng.randint(0, 5)
            self.add(
                "SafetyCheck", vid, stamp(when, 14), checked_on=when,
                area=rng.choice(("production", "ecology", "food_drug", "road_traffic", "fire")),
                departments="镇应急办、市场监管所、派出所", findings="检查沿街商铺", problems_found=found,
                problems_rectified=rng.randint(0, found),
            )

        # 宗教: ~0.5 venues, ~2 activities (care visits, normal activities, clues)
        for _ in range((rng.random() < 0.45) + (rng.random() < 0.05)):
            registered = rng.random() < 0.6
            self.add(
                "ReligiousVenue", vid, entered, name=rng.choice(("土地庙", "基督教聚会点", "关帝庙", "清真寺")),
                religion=rng.choice(("buddhism", "taoism", "islam", "christianity", "folk")), registered=registered,
                registration_number=f"豫宗登{rng.randint(10000, 99999)}" if registered else "",
                person_in_charge=self.person(), phone=self.phone(), address=f"{vname}村北", regular_attendees=rng.randint(5, 80),
                last_visited_on=day() if rng.random() < 0.7 else None, status="normal" if rng.random() < 0.9 else "watch",
            )
        for _ in range(rng.randint(0, 4)):
            when = day()
            roll = rng.random()
            kind = "care_visit" if roll < 0.55 else "normal" if roll < 0.85 else rng.choice(("illegal_clue", "cult_clue", "interference_clue"))
            clue = kind.endswith("_clue")
            closed = min(self.after(when, 3, 40), self.last) if clue and rng.random() < 0.75 else None
            self.add(
                "ReligiousActivity", vid, stamp(when, 10), held_on=when, kind=kind, content="走访信教群众，宣讲宗教政策",
                participants=rng.randint(3, 40), reported_to="县民族宗教事务局" if clue else "",
                status="closed" if closed else "reported" if clue else "registered", closed_on=closed,
                result="已核查" if closed else "",
            )

        # 应急: ~22 members, 1 shelter, ~5 supplies, ~2 plans, a fire station (95 %), ~1 drill
        for n in range(rng.randint(16, 28)):
            self.add(
                "EmergencyMember", vid, entered, name=self.person(), party_member=n < 2 or rng.random() < 0.28,
                role="captain" if n == 0 else "deputy" if n == 1 else "member", skills="", phone=self.phone(),
                joined_on=self.past_day(5) if rng.random() < 0.85 else None, active=rng.random() < 0.95,
            )
        self.add(
            "Shelter", vid, entered, name=f"{vname}文化广场", location="村委会南侧", capacity=rng.randrange(150, 601, 10),
            area=None, facilities="应急照明、饮用水", opened_on=self.past_day(4) if rng.random() < 0.9 else None,
        )
        supplies = [("flashlight", "个"), ("extinguisher", "具")]
        if rng.random() < 0.88:
            supplies.append(("generator", "台"))
        supplies += rng.sample([("life_jacket", "件"), ("sandbag", "袋"), ("tent", "顶"), ("first_aid", "个")], rng.randint(1, 3))
        checked = day()
        for item, unit in supplies:
            self.add(
                "EmergencySupply", vid, entered, stamp(checked, 15), item=item, spec="", quantity=rng.randint(1, 30),
                unit=unit, storage_location="村委会应急物资室", checked_on=checked,
                condition="good" if rng.random() < 0.9 else rng.choice(("repair", "scrapped")),
            )
        plans = [kind for kind, share in (("flood", 0.95), ("evacuation", 0.85), ("fire", 0.2)) if rng.random() < share]
        for kind in plans:
            approved = self.past_day(1)
            self.add(
                "EmergencyPlan", vid, stamp(approved) if approved.year == self.year else entered, kind=kind,
                title=f"{vname}{PLAN_TITLES[kind]}应急预案", approved_on=approved, approved_by=f"{vname}村民委员会",
                next_revision_on=approved.replace(year=approved.year + 3),
            )
        if rng.random() < 0.95:
            self.add(
                "FireStation", vid, entered, name=f"{vname}微型消防站", established_on=self.past_day(3), location="村委会院内",
                members=rng.randint(5, 10), equipment="手抬机动泵、水带、灭火器", on_duty_24h=rng.random() < 0.6,
            )
        for _ in range(rng.randint(0, 2)):
            when = day()
            self.add(
                "Drill", vid, stamp(when, 17), held_on=when, scenario=rng.choice(("natural_disaster", "fire", "drowning")),
                title=f"{vname}应急演练", participants=rng.randint(20, 120), description="",
            )

        # 案事件: ~0.3 a village, about half recognised
        for _ in range(_poisson(rng, 0.3)):
            when = day()
            kind, kind_name = rng.choice(self.kinds)
            recognised = rng.random() < 0.5
            self.add(
                "Incident", vid, stamp(when, 12), kind_id=kind, occurred_on=when, title=f"{vname}{kind_name}",
                severity="general" if rng.random() < 0.8 else rng.choice(("serious", "major")), description="",
                recognised=recognised, recognised_at=stamp(min(self.after(when, 5, 30), self.last), 10) if recognised else None,
            )


@dataclass
class Generated:
    divisions: int = 0
    towns: int = 0
    villages: int = 0
    rows: dict = field(default_factory=dict)  # "app.Model" → rows inserted
    seconds: dict = field(default_factory=dict)  # phase → seconds

    @property
    def records(self):
        return sum(self.rows.values())


def village_names(rng, count):
    names = [s + p for s in SURNAMES for p in PLACE_SUFFIXES]
    return [name + "村" for name in rng.sample(names, count)]


def generate(villages_per_town=20, towns=None, year=2023, seed=1, progress=None):
    """Generate the benchmark data in a dedicated, empty database; returns a Generated report.
    `towns`: only the first N towns (by code) get villages; the whole tree is loaded regardless."""
    from safestar.incidents.models import IncidentKind
    from safestar.org.services import BUNDLED_CSV, load_divisions, read_division_csv
    from safestar.org.models import Division

    if not 1 <= villages_per_town <= MAX_VILLAGES_PER_TOWN:
        raise BenchError(f"每个乡镇的村数应在 1–{MAX_VILLAGES_PER_TOWN} 之间（村级代码末3位为 201–299）")
    if towns is not None and towns < 1:
        raise BenchError("--towns 至少为 1")
    ensure_dedicated_database()
    ensure_no_benchmark_data()
    say = progress or (lambda text: None)
    report, started = Generated(), time.perf_counter()
    rng = random.Random(f"safestar-bench-{seed}-{year}")
    with transaction.atomic():
        t = time.perf_counter()
        report.divisions = load_divisions(read_division_csv(BUNDLED_CSV))
        town_rows = list(Division.objects.filter(level="town").order_by("code").values_list("id", "code", "path"))
        if towns is not None:
            town_rows = town_rows[:towns]
        report.towns = len(town_rows)
        villages = []
        for town_id, code, path in town_rows:
            for index, name in enumerate(village_names(rng, villages_per_town), start=1):
                village = f"{code[:9]}{200 + index:03d}"
                villages.append(Division(code=village, name=name, level="village", parent_id=town_id, path=f"{path}{village}/"))
        Division.objects.bulk_create(villages, batch_size=BATCH_SIZE)
        rows = list(Division.objects.filter(level="village").order_by("code").values_list("id", "name"))
        report.villages = len(rows)
        report.seconds["区划（全省树 + 村）"] = time.perf_counter() - t
        say(f"已载入区划 {report.divisions} 条，在 {report.towns} 个乡镇下新建 {report.villages} 个村（{report.seconds['区划（全省树 + 村）']:.1f} 秒）")

        t = time.perf_counter()
        kinds = list(IncidentKind.objects.order_by("id").values_list("id", "name"))
        builder = _Builder(rng, year, kinds)
        tables = builder.tables.values()
        shown = 0
        for start in range(0, len(rows), CHUNK_VILLAGES):
            for vid, name in rows[start:start + CHUNK_VILLAGES]:
                builder.village(vid, name.removesuffix("村"))
            for table in tables:
                table.flush()
            done = min(start + CHUNK_VILLAGES, len(rows))
            if done * 10 // len(rows) > shown or done == len(rows):
                shown = done * 10 // len(rows)
                say(f"  台账：{done}/{len(rows)} 个村，{sum(table.count for table in tables)} 条，{time.perf_counter() - t:.0f} 秒")
        report.rows = {table.model._meta.label: table.count for table in tables}
        report.seconds["台账记录"] = time.perf_counter() - t
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum would do soon after a load: statistics and the visibility map.
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        report.seconds["VACUUM ANALYZE"] = time.perf_counter() - t
    report.seconds["合计"] = time.perf_counter() - started
    return report


# ── Timing ───────────────────────────────────────────────────────────────────────────────────


def bare_aggregates(spec, year, villages):
    """Exactly the queries facts.gather() issues, results fetched, and nothing else: no Facts, no
    village list, no engine. Kept in step with gather() by `same_sql` in run_evaluation()."""
    from safestar.core.ledger import LEDGERS
    from safestar.core.metrics import METRICS
    from .facts import incident_facts, needs, record_stats

    metrics, groups, kinds = needs(spec)
    out = []
    for name in sorted(metrics):
        metric = METRICS.get(name)
        if metric is not None:
            out.append(metric.compute(year, villages))
    for slug, kind in sorted(groups, key=str):
        ledger = LEDGERS.get(slug)
        if ledger is not None and ledger.date_field:
            out.append(record_stats(ledger, kind, year, villages))
    out.append(incident_facts(year, villages, kinds))
    return out


class _Clock:
    """Wall time, and CPU time of this process plus, on a PostgreSQL server on this machine, of our
    server backend: on a busy machine the CPU time is the steadier measure (SQLite runs in-process)."""

    def __init__(self):
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                path = Path(f"/proc/{cursor.fetchone()[0]}/stat")
            if path.exists():  # the server runs here (else only this process's CPU is counted)
                self.backend = path
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu(self):
        seconds = time.process_time()
        if self.backend is not None:
            try:
                fields = self.backend.read_text().rsplit(")", 1)[1].split()
                seconds += (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return seconds


def _timed(clock, function):
    """(wall seconds, CPU seconds, the SQL issued) of one call; the result is dropped untimed."""
    gc.collect()  # each run starts from the same heap, untimed
    with CaptureQueriesContext(connection) as queries:
        cpu, start = clock.cpu(), time.perf_counter()
        result = function()
        seconds, cpu = time.perf_counter() - start, clock.cpu() - cpu
    del result
    return seconds, cpu, [q["sql"] for q in queries.captured_queries]


def _raw(sqls):
    """The same SQL straight on a DB cursor, every row fetched: the database's share of the work."""
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql)
            cursor.fetchall()


@contextmanager
def _steps(module, names, spent):
    """Time the functions results() calls by the names it looks them up by in its module, so that
    the breakdown follows service.results() as it is, without copying it."""
    saved = {name: getattr(module, name) for name in names if callable(getattr(module, name, None))}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0) + time.perf_counter() - start

        return wrapper

    for name, function in saved.items():
        setattr(module, name, timed(name, function))
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(module, name, function)


@dataclass
class Timing:
    villages: int
    repeat: int
    bare: list
    full: list
    raw: list
    bare_cpu: list
    full_cpu: list
    bare_queries: int
    full_queries: int
    same_sql: bool
    breakdown: dict
    database: str
    vendor: str
    load: tuple

    @property
    def bare_median(self):
        return statistics.median(self.bare)

    @property
    def full_median(self):
        return statistics.median(self.full)

    @property
    def raw_median(self):
        return statistics.median(self.raw)

    @property
    def ratio(self):
        return self.full_median / self.bare_median if self.bare_median else float("inf")

    @property
    def cpu_ratio(self):
        bare = statistics.median(self.bare_cpu)
        return statistics.median(self.full_cpu) / bare if bare else float("inf")

    @property
    def target_met(self):
        return self.ratio <= TARGET

    def as_json(self):
        r = lambda x: round(x, 4)  # noqa: E731
        return {
            "database": self.vendor, "database_label": self.database, "villages": self.villages, "repeat": self.repeat,
            "bare_median_s": r(self.bare_median), "full_median_s": r(self.full_median), "ratio": round(self.ratio, 3),
            "target": TARGET, "target_met": self.target_met, "bare_queries": self.bare_queries,
            "full_queries": self.full_queries, "same_sql_as_gather": self.same_sql,
            "bare_cpu_median_s": r(statistics.median(self.bare_cpu)), "full_cpu_median_s": r(statistics.median(self.full_cpu)),
            "cpu_ratio": round(self.cpu_ratio, 3), "raw_sql_median_s": r(self.raw_median),
            "bare_runs_s": [r(x) for x in self.bare], "full_runs_s": [r(x) for x in self.full],
            "raw_runs_s": [r(x) for x in self.raw], "breakdown_s": {k: r(v) for k, v in self.breakdown.items()},
            "loadavg": [round(x, 2) for x in self.load],
        }


def run_evaluation(scheme, villages, repeat=3, warmup=True):
    """Time the bare aggregates and the full evaluation on the same villages queryset."""
    from . import service
    from .facts import gather

    if repeat < 1:
        raise BenchError("--repeat 至少为 1")
    spec, year = scheme.spec, scheme.year
    count = villages.count()
    if not count:
        raise BenchError("所选区划下没有村：请先运行 safestar bench generate")
    clock = _Clock()

    def bare():
        return bare_aggregates(spec, year, villages)

    def full():
        return service.results(scheme, villages)

    *_, gather_sql = _timed(clock, lambda: gather(spec, year, villages))
    if warmup:  # the first pass pays for cold caches (pages, the query planner, Python imports)
        _timed(clock, bare)
        _timed(clock, full)
    bare_runs, full_runs, raw_runs, bare_cpu, full_cpu = [], [], [], [], []
    bare_sql = full_sql = []
    for _ in range(repeat):  # interleaved, so that a change of load on the machine hits both alike
        seconds, cpu, bare_sql = _timed(clock, bare)
        bare_runs.append(seconds)
        bare_cpu.append(cpu)
        seconds, cpu, full_sql = _timed(clock, full)
        full_runs.append(seconds)
        full_cpu.append(cpu)
        seconds, *_ = _timed(clock, lambda: _raw(bare_sql))
        raw_runs.append(seconds)

    # One more run of results(), its steps timed, to show where the full evaluation's time goes.
    spent = {}
    with _steps(service, ("gather", "manual_scores", "evaluate", "rank"), spent):
        seconds, *_ = _timed(clock, full)
    breakdown = {"合计": seconds, **spent, "其他（村列表等）": seconds - sum(spent.values())}

    return Timing(
        villages=count, repeat=repeat, bare=bare_runs, full=full_runs, raw=raw_runs, bare_cpu=bare_cpu,
        full_cpu=full_cpu, bare_queries=len(bare_sql), full_queries=len(full_sql),
        same_sql=sorted(bare_sql) == sorted(gather_sql), breakdown=breakdown, database=database_label(),
        vendor=connection.vendor, load=os.getloadavg(),
    )

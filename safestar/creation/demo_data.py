"""Demo: 长岗村 and 杨庄村 (the villages with a cadre's account) applied for 2023 and were confirmed (task lists generated, some tasks done),
one inspection in May with findings: an individual problem still being rectified in 长岗村, one
rectified and closed in 杨庄村, and a common problem handed to the police station as a campaign.
Idempotent: nothing is written when the town already has applications for the year."""

import datetime

from django.db import transaction

from safestar import clock
from safestar.audit.log import record
from safestar.org.demo import TOWN
from safestar.org.models import Department, Division, User
from safestar.schemes.models import Scheme

from . import services
from .models import Application, FindingKind, Leadership, Severity, Task, TaskBasis


@transaction.atomic
def load(year):
    scheme = Scheme.objects.filter(issuer__code=TOWN, year=year).order_by("-version").first()
    if scheme is None or Application.objects.filter(scheme__issuer__code=TOWN, year=year).exists():
        return
    town_office, village1, village2 = (User.objects.get(username=u) for u in ("town", "village1", "village2"))
    town = Division.objects.get(code=TOWN)
    villages = list(Division.objects.filter(parent=town, level="village").order_by("code"))
    frozen = clock._frozen
    try:
        clock.freeze(datetime.date(year, 3, 10))
        for cadre in (village1, village2):  # the villages with a cadre's account apply themselves
            application = services.apply(cadre.division, scheme, cadre, "本村申请参加“平安法治星”创建。")
            services.confirm(application, town_office, "同意列为创建主体")
        # some of the manual tasks done by the middle of the year (the others follow their indicators)
        clock.freeze(datetime.date(year, 6, 20))
        manual = Task.objects.filter(application__scheme=scheme, basis=TaskBasis.MANUAL).select_related("village")
        for i, task in enumerate(manual.order_by("village__code", "indicator")):
            if i % 2 == 0:
                services.complete_task(task, village1 if task.village_id == village1.division_id else village2, "已按要求落实，见台账。")

        clock.freeze(datetime.date(year, 5, 16))
        inspection = _inspection(town, town_office, villages[:4], year)
        services.hold_inspection(inspection, town_office, datetime.date(year, 5, 16), "各村创建工作总体有序推进，台账基本齐全，部分村存在短板。")
        open_finding = services.add_finding(
            inspection, town_office, village=villages[0], indicator="C1.5", severity=Severity.SERIOUS, kind=FindingKind.INDIVIDUAL,
            description="村东入口监控探头损坏2路，在用不足6路", deadline=datetime.date(year, 7, 15),
        )
        closed_finding = services.add_finding(
            inspection, town_office, village=villages[1], indicator="C6.4", severity=Severity.GENERAL, kind=FindingKind.INDIVIDUAL,
            description="微型消防站灭火器过期未更换", deadline=datetime.date(year, 6, 15),
        )
        common = [
            services.add_finding(inspection, town_office, village=v, indicator="C3.2", severity=Severity.GENERAL, kind=FindingKind.COMMON,
                                 description="反电诈宣传覆盖不足，国家反诈中心APP安装率低")
            for v in villages[2:4]
        ]
        plan = open_finding.plan
        plan.measures, plan.responsible = "联系运营商维修损坏探头，增设村委会门口1路", village1
        plan.save()
        plan = closed_finding.plan
        plan.measures, plan.responsible = "更换过期灭火器8具，建立月检登记", village2
        plan.save()
        clock.freeze(datetime.date(year, 6, 10))
        services.submit_plan(plan, village2, "已全部更换，附照片")
        clock.freeze(datetime.date(year, 6, 12))
        services.verify_plan(plan, town_office, "现场查看属实，同意销号")
        police = Department.objects.get(name="长岗派出所")
        services.create_campaign(
            town_office, town=town, title="反电诈宣传专项整治", department=police, villages=villages[2:5],
            deadline=datetime.date(year, 8, 31), description="入户宣传，推广国家反诈中心APP", findings=common,
        )
        taskforce = User.objects.filter(username="taskforce").first()
        if taskforce is not None:  # 领导包村: the task force's account covers the two villages with cadres
            for cadre in (village1, village2):
                leadership = Leadership.objects.create(village=cadre.division, leader=taskforce, position="镇党委副书记",
                                                       since=datetime.date(year, 3, 1), created_by=town_office)
                record("create", leadership, actor=town_office)
    finally:
        clock.freeze(frozen)


def _inspection(town, user, villages, year):
    from safestar.audit.log import record

    from .models import Inspection

    inspection = Inspection.objects.create(town=town, title=f"{year}年第二季度“平安法治星”创建督导", planned_on=datetime.date(year, 5, 16),
                                           created_by=user)
    inspection.departments.set(Department.objects.filter(name__in=["长岗派出所", "长岗镇司法所"]))
    inspection.villages.set(villages)
    record("create", inspection, actor=user)
    return inspection

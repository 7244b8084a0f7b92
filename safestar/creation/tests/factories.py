"""Creation records for tests, straight through the services (as the pages would write them)."""

import datetime

from conftest import CHANGGANG, PINGGANG, load_scheme
from safestar.org.models import Department, Division, User

TOWN_USER = {CHANGGANG: "town", PINGGANG: "town2"}
CADRE = {"411422100201": "village1", "411422100202": "village2", "411422101201": "village3"}


def scheme_for(village):
    from safestar.schemes.models import Scheme

    town = village.parent.code
    return Scheme.objects.filter(issuer__code=town, year=2023).first() or load_scheme(town)


def town_of(code):
    return Division.objects.get(code=code).parent.code


def application(code, status="confirmed"):
    from safestar.creation import services

    village = Division.objects.get(code=code)
    found = __import__("safestar.creation.models", fromlist=["Application"]).Application.objects.filter(village=village).first()
    if found:
        return found
    cadre = User.objects.get(username=CADRE[code])
    app = services.apply(village, scheme_for(village), cadre, "申请")
    if status == "confirmed":
        services.confirm(app, User.objects.get(username=TOWN_USER[village.parent.code]), "同意")
    return app


def task(code):
    """The village's first task completed by hand (人工完成: the others follow their indicators)."""
    return application(code).tasks.filter(basis="manual").order_by("id").first()


def inspection(town_code, held=True, villages=None):
    from safestar.creation import services
    from safestar.creation.models import Inspection

    town = Division.objects.get(code=town_code)
    user = User.objects.get(username=TOWN_USER[town_code])
    obj = Inspection.objects.create(town=town, title="第二季度督导", planned_on=datetime.date(2023, 5, 16), created_by=user)
    obj.villages.set(villages or Division.objects.filter(parent=town, level="village").order_by("code")[:2])
    if held:
        services.hold_inspection(obj, user, datetime.date(2023, 5, 16), "总体有序")
    return obj


def finding(code, kind="individual", deadline=datetime.date(2023, 6, 30), description="监控探头损坏2路"):
    from safestar.creation import services

    village = Division.objects.get(code=code)
    insp = inspection(village.parent.code, villages=[village])
    return services.add_finding(insp, User.objects.get(username=TOWN_USER[village.parent.code]), village=village,
                                description=description, severity="serious", kind=kind, indicator="C1.5", deadline=deadline)


def plan(code, **kw):
    return finding(code, **kw).plan


def campaign(town_code, deadline=datetime.date(2023, 8, 31)):
    from safestar.creation import services

    town = Division.objects.get(code=town_code)
    department = Department.objects.filter(division=town, kind="police").first()
    villages = list(Division.objects.filter(parent=town, level="village").order_by("code")[:2])
    return services.create_campaign(User.objects.get(username=TOWN_USER[town_code]), town=town, title="反电诈宣传专项整治",
                                    department=department, villages=villages, deadline=deadline)


def pk_of(factory, *args, **kw):
    return lambda: {"pk": factory(*args, **kw).pk}


def confirmed_applications(scheme, area_code):
    """Every village under `area_code` a confirmed 创建主体 of `scheme`, written directly (no task
    lists): for tests that need whole towns of creating villages, where only three have cadres."""
    from django.utils import timezone

    from safestar.creation.models import Application, ApplicationStatus

    area = Division.objects.get(code=area_code)
    villages = Division.objects.filter(level="village", path__startswith=area.path).exclude(
        pk__in=Application.objects.filter(scheme__issuer=scheme.issuer, scheme__year=scheme.year).values("village"))
    applicant, decider = User.objects.get(username="village1"), User.objects.get(username="town")
    Application.objects.bulk_create([
        Application(village=v, scheme=scheme, year=scheme.year, status=ApplicationStatus.CONFIRMED, applied_by=applicant,
                    applied_at=timezone.now(), decided_by=decider, decided_at=timezone.now(), reason="同意")
        for v in villages
    ])

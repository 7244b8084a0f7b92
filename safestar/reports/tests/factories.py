"""Work-report records for tests, through the services (as the pages write them)."""

from conftest import CHANGGANG, PINGGANG
from safestar.org.models import Division, User

TOWN_USER = {CHANGGANG: "town", PINGGANG: "town2"}
CADRE = {"411422100201": "village1", "411422100202": "village2", "411422101201": "village3"}


def requirement(town_code, period="quarterly", year=2023, ledgers=("disputes",), due_days=5, title="平安建设工作季报"):
    from safestar.reports.models import Requirement

    town = Division.objects.get(code=town_code)
    found = Requirement.objects.filter(issuer=town, year=year, period=period, title=title).first()
    return found or Requirement.objects.create(issuer=town, title=title, year=year, period=period, due_days=due_days, ledgers=list(ledgers),
                                               created_by=User.objects.get(username=TOWN_USER[town_code]))


def report(code, number=1, status="draft"):
    """The village's report for period `number` of its town's quarterly requirement, taken to `status`."""
    from safestar.reports import services

    village = Division.objects.get(code=code)
    cadre = User.objects.get(username=CADRE[code])
    obj = services.open_report(requirement(village.parent.code), village, number, cadre)
    if status in ("submitted", "accepted", "returned") and obj.status == "draft":
        services.submit(obj, cadre)
    if status == "accepted" and obj.status == "submitted":
        services.accept(obj, User.objects.get(username=TOWN_USER[village.parent.code]))
    if status == "returned" and obj.status == "submitted":
        services.return_report(obj, User.objects.get(username=TOWN_USER[village.parent.code]), "请补充数据")
    return obj

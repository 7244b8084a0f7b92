"""Demo: 长岗镇's 平安建设工作季报 for the year (counts of the disputes and safety-hazard ledgers). In the
first quarter 长岗村 reported on time and 杨庄村 late, both accepted; in the second 长岗村 was returned
once (its first submission still on time) and accepted, 杨庄村's waits for review; the town's other
villages have no accounts and have not reported. Idempotent: nothing is written when the town already
has a requirement for the year."""

import datetime

from django.db import transaction

from safestar import clock
from safestar.org.demo import TOWN
from safestar.org.models import Division, User

from . import services
from .models import Requirement

TITLE = "平安建设工作季报"


@transaction.atomic
def load(year):
    town = Division.objects.get(code=TOWN)
    if Requirement.objects.filter(issuer=town, year=year).exists():
        return
    office, village1, village2 = (User.objects.get(username=u) for u in ("town", "village1", "village2"))
    frozen = clock._frozen
    try:
        clock.freeze(datetime.date(year, 1, 5))
        requirement = Requirement.objects.create(
            issuer=town, title=TITLE, year=year, period="quarterly", due_days=5, ledgers=["disputes", "hazards"], created_by=office,
            instructions="各村于每季度结束后5日内报送：本季度矛盾纠纷排查化解、安全隐患排查整治情况，存在问题和下步打算；附会议或现场照片。",
        )
        steps = [
            # (period, cadre, day submitted, text, what the town does)
            (1, village1, (4, 3), "一季度召开平安建设例会3次，排查化解矛盾纠纷，开展春季安全隐患排查。", "accept"),
            (1, village2, (4, 9), "一季度开展矛盾纠纷排查，组织消防安全检查1次。", "accept"),
            (2, village1, (7, 2), "二季度开展防汛和燃气安全排查，调处邻里纠纷。", "return"),
            (2, village2, (7, 4), "二季度开展反诈宣传进村入户，排查化解矛盾纠纷。", None),
        ]
        for number, cadre, (month, day), text, decision in steps:
            clock.freeze(datetime.date(year, month, day))
            report = services.open_report(requirement, cadre.division, number, cadre)
            report.text = text
            report.save(update_fields=["text"])
            services.submit(report, cadre)
            clock.freeze(datetime.date(year, month, day + 1))
            if decision == "accept":
                services.accept(report, office, "同意")
            elif decision == "return":
                services.return_report(report, office, "请补充本季度隐患整改完成情况")
                clock.freeze(datetime.date(year, month, day + 5))
                report.text += "排查隐患均已整改完毕。"
                report.save(update_fields=["text"])
                services.submit(report, cadre)
                clock.freeze(datetime.date(year, month, day + 6))
                services.accept(report, office, "同意")
    finally:
        clock.freeze(frozen)

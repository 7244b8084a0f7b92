"""矛盾纠纷 metrics, per village and year: each ONE query grouped by village, over records not deleted.

A village without matching records is absent from the result. For the counts the engine reads that
as 0; disputes.resolution_rate (a ratio) is declared `absent_as_zero=False`, so there absent means
"no data" (no dispute received that year), not 0 %: a village without disputes has nothing to resolve,
and the scheme's `if_missing` says how such a village is scored.

"At the year's end" means on 31 December of the year, or today while the year is still running, so
that a year can be evaluated again later with the same result: a dispute closed in January after the
year still counted as open (and perhaps overdue) at the end of the year.
"""

import datetime

from django.db.models import Count, Q

from safestar.core import clock
from safestar.core.metrics import metric, per_village, records_in

from .models import Dispute, DisputeStage, LegalAdvisor, Mediator, Petition, PetitionStatus, StabilityMeeting, disputes_overdue_on


def year_end(year, today=None):
    """31 December of `year`, or today (in China) if that is earlier: the year is the current one."""
    return min(datetime.date(year, 12, 31), today or clock.today())


@metric("disputes.legal_advisors", "在聘法律顾问人数", "人")
def legal_advisors(year, villages):
    """在聘（在聘=是）且聘任日期不晚于当年12月31日的法律顾问人数。创建要求每村至少 1 人（一村一法律顾问）。"""
    return per_village(records_in(LegalAdvisor, villages).filter(active=True, appointed_on__lte=datetime.date(year, 12, 31)))


@metric("disputes.mediators", "在岗人民调解员人数", "人")
def mediators(year, villages):
    """在岗（在岗=是）且选聘日期不晚于当年12月31日的人民调解员（含网格员）人数。"""
    return per_village(records_in(Mediator, villages).filter(active=True, appointed_on__lte=datetime.date(year, 12, 31)))


@metric("disputes.received", "受理矛盾纠纷数", "件")
def received(year, villages):
    """受理日期在当年的矛盾纠纷件数（不论办理阶段）。"""
    return per_village(records_in(Dispute, villages).filter(received_on__year=year))


@metric("disputes.resolution_rate", "矛盾纠纷化解率", "%", absent_as_zero=False)
def resolution_rate(year, villages):
    """当年受理的纠纷中到年底已化解（办结日期不晚于12月31日）的百分比，0–100，不取整；已移交不算化解；当年没有受理纠纷的村为“无数据”，不按0计。"""
    rows = (
        records_in(Dispute, villages)
        .filter(received_on__year=year)
        .values("division")
        .annotate(
            received=Count("id"),
            resolved=Count("id", filter=Q(stage=DisputeStage.RESOLVED, closed_on__lte=datetime.date(year, 12, 31))),
        )
    )
    return {row["division"]: 100 * row["resolved"] / row["received"] for row in rows}


@metric("disputes.overdue", "超期未化解矛盾纠纷数", "件")
def overdue(year, villages, today=None):
    """到年底（当年为今天）已受理、仍未化解或移交、且化解期限早于该日的纠纷件数（含往年受理的）。"""
    return per_village(records_in(Dispute, villages).filter(disputes_overdue_on(year_end(year, today))))


@metric("disputes.stability_meetings", "召开分析研判会次数", "次")
def stability_meetings(year, villages):
    """研判日期在当年的分析研判会次数（各类合计）。"""
    return per_village(records_in(StabilityMeeting, villages).filter(held_on__year=year))


@metric("petitions.received", "登记信访事项数", "件")
def petitions_received(year, villages):
    """登记日期在当年的信访事项件数（各种形式合计）。"""
    return per_village(records_in(Petition, villages).filter(received_on__year=year))


@metric("petitions.backlog_unsettled", "未化解信访积案数", "件")
def backlog_unsettled(year, villages):
    """到当年12月31日已登记、标为信访积案、当时尚未化解息诉的件数（含往年登记的）。创建要求为 0。"""
    end = datetime.date(year, 12, 31)
    settled = Q(status=PetitionStatus.SETTLED, settled_on__lte=end)
    return per_village(records_in(Petition, villages).filter(is_backlog=True, received_on__lte=end).exclude(settled))

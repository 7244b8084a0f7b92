"""矛盾纠纷 metrics, per village and year: each ONE query grouped by village, over records not deleted.

A village without matching records is absent from the result. For the counts the engine reads that
as 0; disputes.resolution_rate (a ratio) is declared `absent_as_zero=False`, so there absent means
"no data" (no dispute received that year), not 0 %: a village without disputes has nothing to resolve,
and the scheme's `if_missing` says how such a village is scored.

"At the year's end" means on 31 December of the year, or today while the year is still running, so
that a year can be evaluated again later with the same result: a dispute closed in January after the
year still counted as open (and perhaps overdue) at the end of the year, and a deadline extended
after the year's end, or an advisor who left then, does not change it either (core/states.py).
"""

import datetime

from django.db.models import Count, Q

from safestar.core import metrics as core_metrics
from safestar.core.metrics import kept, metric, per_village, records_in, standing
from safestar.core.states import as_of

from .models import Dispute, DisputeStage, LegalAdvisor, Mediator, Petition, PetitionStatus, StabilityMeeting, disputes_overdue_on


def year_end(year, today=None):
    """31 December of `year`, or today if that is earlier: the year is the current one."""
    return min(datetime.date(year, 12, 31), today) if today else core_metrics.year_end(year)


@metric("disputes.legal_advisors", "在聘法律顾问人数", "人")
def legal_advisors(year, villages):
    """聘任日期不晚于年底、年底时在聘的法律顾问人数（此后解聘的仍计入当年）。创建要求每村至少 1 人（一村一法律顾问）。"""
    return per_village(standing(LegalAdvisor, villages, year_end(year), "appointed_on", "active").filter(asof_active=True))


@metric("disputes.mediators", "在岗人民调解员人数", "人")
def mediators(year, villages):
    """选聘日期不晚于年底、年底时在岗的人民调解员（含网格员）人数（此后离任的仍计入当年）。"""
    return per_village(standing(Mediator, villages, year_end(year), "appointed_on", "active").filter(asof_active=True))


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
    """到年底（当年为今天）已受理、仍未化解或移交、且当时的化解期限早于该日的纠纷件数（含往年受理的；年底后才延长的期限不算）。"""
    day = year_end(year, today)
    return per_village(as_of(records_in(Dispute, villages), day, "deadline").filter(disputes_overdue_on(day, "asof_deadline")))


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
    """到年底已登记、年底时列为信访积案、当时尚未化解息诉的件数（含往年登记的）。创建要求为 0。"""
    end = year_end(year)
    settled = Q(status=PetitionStatus.SETTLED, settled_on__lte=end)
    backlog = standing(Petition, villages, end, "received_on", "is_backlog").filter(asof_is_backlog=True)
    return per_village(backlog.exclude(settled))


def _concerning(year, closed):
    """Received in the year, or received before it and not closed (`closed`: the closing date field)
    before it began: the records that concern the year."""
    start = datetime.date(year, 1, 1)
    carried = Q(received_on__lt=start) & (Q(**{f"{closed}__isnull": True}) | Q(**{f"{closed}__gte": start}))
    return Q(received_on__range=(start, year_end(year))) | carried


@kept("disputes", "矛盾纠纷")
def disputes_kept(year, villages):
    """当年受理的矛盾纠纷，以及往年受理、当年初尚未办结的。没有这样的记录时，须有“本年度无矛盾纠纷”的零报告。"""
    return per_village(records_in(Dispute, villages).filter(_concerning(year, "closed_on")))


@kept("petitions", "信访事项")
def petitions_kept(year, villages):
    """当年登记的信访事项，以及往年登记、当年初尚未化解息诉的。没有这样的记录时，须有“本年度无信访事项”的零报告。"""
    return per_village(records_in(Petition, villages).filter(_concerning(year, "settled_on")))

"""安全事故防范 metrics. Each is ONE query grouped by village, over records not deleted; a village
without records is absent (read as 0). As of the year's end (core/metrics.year_end): hazards by their
own found / rectified dates and their deadline as it stood then; controlled goods by their last
check as it stood then (a check in the next year replaces 最近检查日期, not the past, core/states.py)."""

import datetime

from django.db.models import Q

from safestar.core.metrics import kept, metric, per_village, records_in, year_end
from safestar.core.states import as_of

from .models import ControlledGoods, Hazard, HazardInspection, SafetyCheck


def _year(year):
    return datetime.date(year, 1, 1), year_end(year)


@metric("safety.hazards_found", "当年排查发现的安全隐患数", "处")
def hazards_found(year, villages):
    """发现日期在当年的安全隐患（各类合计）。"""
    return per_village(records_in(Hazard, villages).filter(found_on__range=_year(year)))


@metric("safety.hazards_open", "年末未整改的安全隐患数", "处")
def hazards_open(year, villages):
    """年末（12月31日）仍未整改完成的隐患：发现日期不晚于年末，且整改状态不是“已整改”或整改完成日期晚于年末。"""
    return per_village(records_in(Hazard, villages).open_on(year_end(year)))


@metric("safety.hazards_overdue", "年末逾期未整改的安全隐患数", "处")
def hazards_overdue(year, villages):
    """年末未整改的隐患中，年末时的整改期限早于年末（12月31日）的（年末后才延长的期限不算）；评分要求为 0。"""
    return per_village(records_in(Hazard, villages).overdue_on(year_end(year)))


@metric("safety.hazard_inspections", "当年隐患巡查次数", "次")
def hazard_inspections(year, villages):
    """巡查日期在当年的隐患巡查记录。"""
    return per_village(records_in(HazardInspection, villages).filter(inspected_on__range=_year(year)))


@metric("safety.controlled_goods_checked", "当年检查过的重点物品数", "项")
def controlled_goods_checked(year, villages):
    """年底时的最近检查日期在当年的重点物品记录（农药、危险化学品、民爆物品、管制器具）；次年再检查不影响当年。"""
    goods = as_of(records_in(ControlledGoods, villages), year_end(year), "checked_on")
    return per_village(goods.filter(asof_checked_on__range=_year(year)))


@metric("safety.controlled_goods_unchecked", "当年未检查的重点物品数", "项")
def controlled_goods_unchecked(year, villages):
    """年底时的最近检查日期早于当年的重点物品记录：当年一次也没有检查。首次检查在当年以后的记录不计入（当年尚未登记）。"""
    goods = as_of(records_in(ControlledGoods, villages), year_end(year), "checked_on")
    return per_village(goods.filter(asof_checked_on__lt=_year(year)[0]))


@metric("safety.joint_checks", "当年联合安全检查次数", "次")
def joint_checks(year, villages):
    """检查日期在当年的联合安全检查（生产安全、生态环境、食品药品、道路交通、消防）。"""
    return per_village(records_in(SafetyCheck, villages).filter(checked_on__range=_year(year)))


@kept("hazards", "安全隐患")
def hazards_kept(year, villages):
    """当年发现的安全隐患，以及往年发现、当年初仍未整改的。没有时须有“本年度无安全隐患”的零报告。"""
    start = datetime.date(year, 1, 1)
    carried = records_in(Hazard, villages).open_on(start - datetime.timedelta(days=1)).values("pk")
    return per_village(records_in(Hazard, villages).filter(Q(found_on__range=_year(year)) | Q(pk__in=carried)))


@kept("controlled_goods", "重点物品")
def controlled_goods_kept(year, villages):
    """到年底已登记（年底时有检查日期）的重点物品。没有时须有“本年度无重点物品”的零报告。"""
    goods = as_of(records_in(ControlledGoods, villages), year_end(year), "checked_on")
    return per_village(goods.filter(asof_checked_on__lte=year_end(year)))

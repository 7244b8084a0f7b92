"""应急 metrics: the team, shelters, basic supplies, plans, micro fire stations and drills.

Each metric is ONE query grouped by village over the alive records of the villages given; a
village without records is absent (read as 0).

Metrics of a state (the team, shelters, supplies) describe the village as it stands; the year only
keeps out records entered after that year (created_at__year__lte=year), so that evaluating an
earlier year does not count what was recorded later; a member who joined, or a shelter opened,
after the year's end is not counted either. Plans and fire stations have their own date: those
approved / established up to the year's end count. Drills count when held in the year.
"""

import datetime

from django.db.models import Exists, OuterRef, Q, Sum

from safestar.core.metrics import metric, per_village, records_in
from safestar.core.models import Attachment

from .models import Drill, EmergencyMember, EmergencyPlan, EmergencySupply, FireStation, PlanKind, Shelter, SupplyCondition, SupplyItem


def _year_end(year):
    return datetime.date(year, 12, 31)


# ── 应急队伍 ─────────────────────────────────────────────────────────────────────────────────


def active_members(year, villages):
    return records_in(EmergencyMember, villages).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=_year_end(year)), active=True, created_at__year__lte=year
    )


@metric("emergency.team_size", "应急队伍在队人数", "人")
def team_size(year, villages):
    """应急队伍中在队的队员（含队长、副队长）人数；创建方案要求不少于 20 人。截至当年年底已录入、已入队的队员。"""
    return per_village(active_members(year, villages))


@metric("emergency.party_members", "应急队伍在队党员人数", "人")
def party_members(year, villages):
    """应急队伍在队队员中的中共党员人数（创建方案要求以党员为骨干）。截至当年年底已录入、已入队的队员。"""
    return per_village(active_members(year, villages).filter(party_member=True))


# ── 避难场所与物资 ───────────────────────────────────────────────────────────────────────────


@metric("emergency.shelter_capacity", "应急避难场所可容纳人数", "人")
def shelter_capacity(year, villages):
    """全村应急避难场所可容纳人数之和。截至当年年底已录入、已启用（未填启用日期的视为已启用）的场所。"""
    shelters = records_in(Shelter, villages).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=_year_end(year)), created_at__year__lte=year
    )
    return per_village(shelters, Sum("capacity"))


def _good_quantity(item):
    def compute(year, villages):
        supplies = records_in(EmergencySupply, villages).filter(item=item, condition=SupplyCondition.GOOD, created_at__year__lte=year)
        return per_village(supplies, Sum("quantity"))

    return compute


for _name, _item, _unit in (
    ("generators", SupplyItem.GENERATOR, "台"),
    ("flashlights", SupplyItem.FLASHLIGHT, "个"),
    ("extinguishers", SupplyItem.EXTINGUISHER, "具"),
):
    metric(
        f"emergency.{_name}", f"状况完好的{_item.label}数量", _unit,
        f"应急物资台账中类别为“{_item.label}”、状况为“完好”的数量之和（需维修、已报废的不计）。截至当年年底已录入的物资。",
    )(_good_quantity(_item.value))


# ── 应急预案 ─────────────────────────────────────────────────────────────────────────────────


def plans(year, villages):
    return records_in(EmergencyPlan, villages).filter(approved_on__lte=_year_end(year))


@metric("emergency.plans", "应急预案数", "份")
def plan_count(year, villages):
    """截至当年年底已审批的应急预案份数（各类合计，含以往年度审批的）。"""
    return per_village(plans(year, villages))


@metric("emergency.plans_flood", "防汛救灾应急预案数", "份")
def flood_plans(year, villages):
    """截至当年年底已审批、类别为“防汛救灾”的应急预案份数。"""
    return per_village(plans(year, villages).filter(kind=PlanKind.FLOOD))


@metric("emergency.plans_evacuation", "紧急避险应急预案数", "份")
def evacuation_plans(year, villages):
    """截至当年年底已审批、类别为“紧急避险”的应急预案份数。"""
    return per_village(plans(year, villages).filter(kind=PlanKind.EVACUATION))


@metric("emergency.plans_with_document", "已上传预案文本的应急预案数", "份")
def plans_with_document(year, villages):
    """截至当年年底已审批、且至少有一个未删除附件（预案文本）的应急预案份数。"""
    # The content type is matched by a join inside the subquery, not looked up beforehand, so that
    # the metric stays one query even with a cold ContentType cache.
    documents = Attachment.objects.alive().filter(
        content_type__app_label=EmergencyPlan._meta.app_label,
        content_type__model=EmergencyPlan._meta.model_name,
        object_id=OuterRef("pk"),
    )
    return per_village(plans(year, villages).filter(Exists(documents)))


# ── 微型消防站与演练 ─────────────────────────────────────────────────────────────────────────


@metric("emergency.fire_stations", "微型消防站（点）数", "个")
def fire_stations(year, villages):
    """截至当年年底已建成的微型消防站（点）个数。"""
    stations = records_in(FireStation, villages).filter(established_on__lte=_year_end(year))
    return per_village(stations)


@metric("emergency.drills", "应急演练次数", "次")
def drills(year, villages):
    """演练日期在当年的应急演练次数；创建方案要求每年至少 1 次。"""
    return per_village(records_in(Drill, villages).filter(held_on__year=year))

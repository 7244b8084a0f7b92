"""应急 metrics: the team, shelters, basic supplies, plans, micro fire stations and drills.

Each metric is ONE query grouped by village over the alive records of the villages given, as of the
year's end (core/metrics.year_end: 31 December, or today in the current year); a village without
records is absent (read as 0).

States read the ledgers as they stood on that day (core/states.py): a member counts who had joined
by then (入队日期) and was 在队 then; a shelter opened by then (启用日期) and 在用 then, with its
capacity then; a supply acquired by then (配备日期), in the quantity and condition of then. A member
who left, a shelter closed, a generator scrapped in the next year still count for this one. Plans
count by their approval date as it stood then (a later revision does not take them out of earlier
years), fire stations by their establishment date, drills when held in the year.
"""

from django.db.models import Exists, OuterRef, Sum

from safestar.core.metrics import metric, per_village, records_in, standing, year_end
from safestar.core.models import Attachment
from safestar.core.states import as_of

from .models import Drill, EmergencyMember, EmergencyPlan, EmergencySupply, FireStation, PlanKind, Shelter, SupplyCondition, SupplyItem


# ── 应急队伍 ─────────────────────────────────────────────────────────────────────────────────


def active_members(year, villages):
    members = standing(EmergencyMember, villages, year_end(year), "joined_on", "active", "party_member")
    return members.filter(asof_active=True)


@metric("emergency.team_size", "应急队伍在队人数", "人")
def team_size(year, villages):
    """年底时在队的应急队伍队员（含队长、副队长）人数；创建方案要求不少于 20 人。入队日期不晚于年底、年底时在队（此后离队的仍计入当年）。"""
    return per_village(active_members(year, villages))


@metric("emergency.party_members", "应急队伍在队党员人数", "人")
def party_members(year, villages):
    """年底时在队的队员中、年底时是中共党员的人数（创建方案要求以党员为骨干）。"""
    return per_village(active_members(year, villages).filter(asof_party_member=True))


# ── 避难场所与物资 ───────────────────────────────────────────────────────────────────────────


@metric("emergency.shelter_capacity", "应急避难场所可容纳人数", "人")
def shelter_capacity(year, villages):
    """年底时在用的应急避难场所可容纳人数之和：启用日期不晚于年底、年底时在用，按年底时的可容纳人数。"""
    shelters = standing(Shelter, villages, year_end(year), "opened_on", "active", "capacity").filter(asof_active=True)
    return per_village(shelters, Sum("asof_capacity"))


def _good_quantity(item):
    def compute(year, villages):
        supplies = standing(EmergencySupply, villages, year_end(year), "acquired_on", "quantity", "condition")
        return per_village(supplies.filter(item=item, asof_condition=SupplyCondition.GOOD), Sum("asof_quantity"))

    return compute


for _name, _item, _unit in (
    ("generators", SupplyItem.GENERATOR, "台"),
    ("flashlights", SupplyItem.FLASHLIGHT, "个"),
    ("extinguishers", SupplyItem.EXTINGUISHER, "具"),
):
    metric(
        f"emergency.{_name}", f"状况完好的{_item.label}数量", _unit,
        f"应急物资台账中类别为“{_item.label}”、年底时状况为“完好”的数量之和（需维修、已报废的不计）：配备日期不晚于年底，按年底时的数量和状况。",
    )(_good_quantity(_item.value))


# ── 应急预案 ─────────────────────────────────────────────────────────────────────────────────


def plans(year, villages):
    day = year_end(year)
    return as_of(records_in(EmergencyPlan, villages), day, "approved_on").filter(asof_approved_on__lte=day)


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
    stations = records_in(FireStation, villages).filter(established_on__lte=year_end(year))
    return per_village(stations)


@metric("emergency.drills", "应急演练次数", "次")
def drills(year, villages):
    """演练日期在当年的应急演练次数；创建方案要求每年至少 1 次。"""
    return per_village(records_in(Drill, villages).filter(held_on__year=year))

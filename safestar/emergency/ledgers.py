from safestar.core.ledger import Ledger, register

from .models import Drill, EmergencyMember, EmergencyPlan, EmergencySupply, FireStation, Shelter


@register
class EmergencyMemberLedger(Ledger):
    slug = "emergency-members"
    model = EmergencyMember
    title = "应急队伍队员台账"
    fields = ("name", "party_member", "role", "skills", "phone", "joined_on", "active")
    list_display = ("name", "role", "party_member", "skills", "joined_on", "active")
    search_fields = ("name", "skills")
    date_field = "joined_on"
    kind_field = "role"
    status_field = "active"
    example = {
        "name": "李国强", "party_member": True, "role": "member", "skills": "电工、驾驶", "phone": "13837012345",
        "joined_on": "2023-03-01", "active": True,
    }


@register
class ShelterLedger(Ledger):
    slug = "shelters"
    model = Shelter
    title = "应急避难场所台账"
    fields = ("name", "location", "capacity", "area", "facilities", "opened_on", "active")
    list_display = ("name", "location", "capacity", "area", "opened_on", "active")
    search_fields = ("name", "location", "facilities")
    date_field = "opened_on"
    status_field = "active"
    example = {
        "name": "长岗村小学操场", "location": "村小学院内", "capacity": 300, "area": 1200,
        "facilities": "应急照明、饮用水、临时厕所、标识标牌", "opened_on": "2023-05-10", "active": True,
    }


@register
class EmergencySupplyLedger(Ledger):
    slug = "emergency-supplies"
    model = EmergencySupply
    title = "应急物资台账"
    fields = ("item", "spec", "quantity", "unit", "storage_location", "acquired_on", "checked_on", "condition")
    list_display = ("item", "spec", "quantity", "unit", "storage_location", "checked_on", "condition")
    search_fields = ("spec", "storage_location")
    date_field = "checked_on"
    kind_field = "item"
    status_field = "condition"
    example = {
        "item": "extinguisher", "spec": "4kg 干粉灭火器", "quantity": 10, "unit": "具", "storage_location": "村委会应急物资室",
        "acquired_on": "2022-04-01", "checked_on": "2023-06-15", "condition": "good",
    }


@register
class EmergencyPlanLedger(Ledger):
    slug = "emergency-plans"
    model = EmergencyPlan
    title = "应急预案台账"
    fields = ("kind", "title", "approved_on", "approved_by", "next_revision_on")
    list_display = ("kind", "title", "approved_on", "approved_by", "next_revision_on")
    search_fields = ("title", "approved_by")
    date_field = "approved_on"
    kind_field = "kind"
    example = {
        "kind": "flood", "title": "长岗村防汛救灾应急预案", "approved_on": "2023-04-20", "approved_by": "长岗村村民委员会",
        "next_revision_on": "2026-04-20",
    }


@register
class FireStationLedger(Ledger):
    slug = "fire-stations"
    model = FireStation
    title = "微型消防站（点）台账"
    fields = ("name", "established_on", "location", "members", "equipment", "on_duty_24h")
    list_display = ("name", "established_on", "location", "members", "on_duty_24h")
    search_fields = ("name", "location", "equipment")
    date_field = "established_on"
    status_field = "on_duty_24h"
    example = {
        "name": "长岗村微型消防站", "established_on": "2023-03-18", "location": "村委会东侧", "members": 6,
        "equipment": "手抬机动泵 1 台、水带 10 盘、水枪 2 支、灭火器 8 具", "on_duty_24h": True,
    }


@register
class DrillLedger(Ledger):
    slug = "drills"
    model = Drill
    title = "应急演练台账"
    fields = ("held_on", "scenario", "title", "participants", "description")
    list_display = ("held_on", "scenario", "title", "participants")
    search_fields = ("title", "description")
    date_field = "held_on"
    kind_field = "scenario"
    example = {
        "held_on": "2023-06-10", "scenario": "natural_disaster", "title": "长岗村防汛应急演练", "participants": 45,
        "description": "模拟强降雨致低洼处积水，演练人员转移、沙袋封堵和应急照明。",
    }

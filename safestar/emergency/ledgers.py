from safestar.core.ledger import Ledger, register

from .models import Drill, EmergencyMember, EmergencyPlan, EmergencySupply, FireStation, Shelter


@register
class EmergencyMemberLedger(Ledger):
    slug = "emergency-members"
    model = EmergencyMember
    title = "应急队伍队员台账"
    group = "应急"
    fields = ("name", "party_member", "role", "skills", "phone", "joined_on", "active")
    list_display = ("name", "role", "party_member", "skills", "joined_on", "active")
    fill_once = ("joined_on",)
    search_fields = ("name", "skills")
    date_field = "joined_on"
    kind_field = "role"
    status_field = "active"
    example = {
        "name": "李国强", "party_member": True, "role": "member", "skills": "电工、驾驶", "phone": "13837012345",
        "joined_on": "2023-03-01", "active": True,
    }
    synonyms = {
        "name": ("队员姓名",),
        "party_member": ("政治面貌", "是否党员", "党员"),
        "role": ("职务", "队内职务"),
        "skills": ("特长", "专业特长", "技能"),
        "phone": ("电话", "联系方式"),
        "joined_on": ("入队时间",),
        "active": ("是否在队", "状态"),
    }


@register
class ShelterLedger(Ledger):
    slug = "shelters"
    model = Shelter
    title = "应急避难场所台账"
    group = "应急"
    fields = ("name", "location", "capacity", "area", "facilities", "opened_on", "active")
    list_display = ("name", "location", "capacity", "area", "opened_on", "active")
    fill_once = ("opened_on",)
    search_fields = ("name", "location", "facilities")
    date_field = "opened_on"
    status_field = "active"
    example = {
        "name": "长岗村小学操场", "location": "村小学院内", "capacity": 300, "area": 1200,
        "facilities": "应急照明、饮用水、临时厕所、标识标牌", "opened_on": "2023-05-10", "active": True,
    }
    synonyms = {
        "name": ("名称", "避难场所名称"),
        "location": ("地点", "地址"),
        "capacity": ("容纳人数", "可容纳人数（人）"),
        "area": ("面积", "占地面积"),
        "facilities": ("设施", "配套设施情况"),
        "opened_on": ("启用时间", "建成时间"),
    }
    units = {"area": ("平方米", "㎡", "m²", "平米", "m2")}


@register
class EmergencySupplyLedger(Ledger):
    slug = "emergency-supplies"
    model = EmergencySupply
    title = "应急物资台账"
    group = "应急"
    fields = ("item", "spec", "quantity", "unit", "storage_location", "acquired_on", "checked_on", "condition")
    list_display = ("item", "spec", "quantity", "unit", "storage_location", "checked_on", "condition")
    fill_once = ("acquired_on",)
    search_fields = ("spec", "storage_location")
    date_field = "checked_on"
    kind_field = "item"
    status_field = "condition"
    example = {
        "item": "extinguisher", "spec": "4kg 干粉灭火器", "quantity": 10, "unit": "具", "storage_location": "村委会应急物资室",
        "acquired_on": "2022-04-01", "checked_on": "2023-06-15", "condition": "good",
    }
    synonyms = {
        "item": ("物资名称", "品名", "物资种类"),
        "spec": ("规格型号", "型号", "规格"),
        "quantity": ("库存数量", "现有数量"),
        "unit": ("计量单位",),
        "storage_location": ("存放地点", "存放位置", "储存地点"),
        "acquired_on": ("购置日期", "购置时间", "配备时间", "入库日期"),
        "checked_on": ("检查时间", "盘点日期", "核查日期"),
        "condition": ("状态", "物资状况", "完好情况", "使用状况"),
    }
    units = {"quantity": ("台", "个", "具", "件", "袋", "顶", "套", "把", "只", "箱", "条")}


@register
class EmergencyPlanLedger(Ledger):
    slug = "emergency-plans"
    model = EmergencyPlan
    title = "应急预案台账"
    group = "应急"
    fields = ("kind", "title", "approved_on", "approved_by", "next_revision_on")
    list_display = ("kind", "title", "approved_on", "approved_by", "next_revision_on")
    search_fields = ("title", "approved_by")
    date_field = "approved_on"
    kind_field = "kind"
    example = {
        "kind": "flood", "title": "长岗村防汛救灾应急预案", "approved_on": "2023-04-20", "approved_by": "长岗村村民委员会",
        "next_revision_on": "2026-04-20",
    }
    synonyms = {
        "kind": ("类别", "预案类型"),
        "title": ("名称",),
        "approved_on": ("印发日期", "制定日期", "批准日期"),
        "approved_by": ("制定单位", "印发单位"),
        "next_revision_on": ("修订日期",),
    }


@register
class FireStationLedger(Ledger):
    slug = "fire-stations"
    model = FireStation
    title = "微型消防站（点）台账"
    group = "应急"
    fields = ("name", "established_on", "location", "members", "equipment", "on_duty_24h")
    list_display = ("name", "established_on", "location", "members", "on_duty_24h")
    search_fields = ("name", "location", "equipment")
    date_field = "established_on"
    status_field = "on_duty_24h"
    example = {
        "name": "长岗村微型消防站", "established_on": "2023-03-18", "location": "村委会东侧", "members": 6,
        "equipment": "手抬机动泵 1 台、水带 10 盘、水枪 2 支、灭火器 8 具", "on_duty_24h": True,
    }
    synonyms = {
        "name": ("消防站名称", "站点名称"),
        "established_on": ("建成日期", "成立时间"),
        "location": ("地点", "地址"),
        "members": ("人数", "消防队员人数"),
        "equipment": ("器材", "装备", "配备器材"),
        'on_duty_24h': ('是否24小时值守', '值守情况'),
    }
    units = {"members": ("人", "名")}


@register
class DrillLedger(Ledger):
    slug = "drills"
    model = Drill
    title = "应急演练台账"
    group = "应急"
    fields = ("held_on", "scenario", "title", "participants", "description")
    list_display = ("held_on", "scenario", "title", "participants")
    search_fields = ("title", "description")
    date_field = "held_on"
    kind_field = "scenario"
    example = {
        "held_on": "2023-06-10", "scenario": "natural_disaster", "title": "长岗村防汛应急演练", "participants": 45,
        "description": "模拟强降雨致低洼处积水，演练人员转移、沙袋封堵和应急照明。",
    }
    synonyms = {
        "held_on": ("演练时间", "日期"),
        "scenario": ("演练类型", "类别"),
        "title": ("名称", "演练主题"),
        "participants": ("参演人数", "人数"),
        "description": ("演练内容", "情况"),
    }

from django import forms

from safestar.core.ledger import Ledger, LedgerForm, register

from .models import ControlledGoods, Hazard, HazardInspection, SafetyCheck


@register
class HazardLedger(Ledger):
    slug = "hazards"
    model = Hazard
    title = "安全隐患登记"
    fields = ("kind", "location", "description", "risk_level", "responsible", "found_on", "deadline", "status", "rectified_on")
    list_display = ("found_on", "kind", "location", "risk_level", "deadline", "status")
    search_fields = ("location", "description", "responsible")
    date_field = "found_on"
    kind_field = "kind"
    status_field = "status"
    example = {
        "kind": "pond", "location": "村东头大坑塘", "description": "坑塘水深约3米，岸边无护栏、无警示牌，夏季常有儿童玩耍",
        "risk_level": "high", "responsible": "王建国", "found_on": "2023-05-08", "deadline": "2023-06-08",
        "status": "rectified", "rectified_on": "2023-05-30",
    }


class HazardInspectionForm(LedgerForm):
    """The ledger form (which offers only the hazards the user may see), showing each hazard with its
    village; the model's clean() keeps it in the record's village."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["hazard"]
        field.queryset = field.queryset.select_related("division").order_by("division__code", "-found_on", "-id")
        field.label_from_instance = lambda hazard: f"{hazard.division.name}：{hazard}"
        field.empty_label = "（不跟踪具体隐患）"


@register
class HazardInspectionLedger(Ledger):
    slug = "hazard-inspections"
    model = HazardInspection
    title = "隐患巡查记录"
    fields = ("inspected_on", "inspector", "route", "hazard", "finding", "action")
    list_display = ("inspected_on", "inspector", "route", "hazard")
    search_fields = ("inspector", "route", "finding", "action")
    date_field = "inspected_on"
    kind_field = None
    status_field = None
    example = {
        "inspected_on": "2023-07-10", "inspector": "李志强", "route": "村东坑塘—小学周边—村西危桥",
        "finding": "东坑塘新增警示牌完好；村西危桥限行标志被风刮倒", "action": "当场扶正限行标志并加固，告知村委会",
    }

    @classmethod
    def form_class(cls):
        return forms.modelform_factory(cls.model, form=HazardInspectionForm, fields=["division", *cls.fields])


@register
class ControlledGoodsLedger(Ledger):
    slug = "controlled-goods"
    model = ControlledGoods
    title = "重点物品管理台账"
    fields = ("category", "holder", "item", "quantity", "unit", "storage", "checked_on", "result")
    list_display = ("category", "holder", "item", "quantity", "unit", "checked_on", "result")
    search_fields = ("holder", "item", "storage")
    date_field = "checked_on"
    kind_field = "category"
    status_field = "result"
    example = {
        "category": "pesticide", "holder": "丰收农资店（店主李红梅）", "item": "草甘膦水剂", "quantity": "120",
        "unit": "瓶", "storage": "店内农药专柜加锁存放，专人保管，进出有台账", "checked_on": "2023-06-15", "result": "passed",
    }


@register
class SafetyCheckLedger(Ledger):
    slug = "safety-checks"
    model = SafetyCheck
    title = "联合安全检查"
    fields = ("checked_on", "area", "departments", "findings", "problems_found", "problems_rectified")
    list_display = ("checked_on", "area", "departments", "problems_found", "problems_rectified")
    search_fields = ("departments", "findings")
    date_field = "checked_on"
    kind_field = "area"
    status_field = None
    example = {
        "checked_on": "2023-09-20", "area": "fire", "departments": "镇应急办、长岗派出所、村两委",
        "findings": "检查沿街门店和村小学，发现2处灭火器过期、1处电动车楼道充电", "problems_found": 3, "problems_rectified": 3,
    }

from django import forms

from safestar.core.ledger import Ledger, LedgerForm, register

from .models import ControlledGoods, Hazard, HazardInspection, SafetyCheck


@register
class HazardLedger(Ledger):
    slug = "hazards"
    overdue = staticmethod(lambda records, day: records.overdue_on(day))  # 超期未整改
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
    synonyms = {
        "kind": ("隐患类型", "类别", "隐患种类"),
        "location": ("隐患地点", "隐患位置", "地点", "具体位置", "所在位置"),
        "description": ("隐患内容", "存在问题", "隐患情况", "主要隐患", "存在的隐患"),
        "risk_level": ("隐患等级", "等级", "风险级别", "隐患级别"),
        "responsible": ("整改责任人", "责任人员"),
        "found_on": ("排查日期", "排查时间", "发现时间", "检查日期"),
        "deadline": ("整改时限", "限改日期", "完成时限"),
        "status": ("整改情况", "是否整改", "整改进度"),
        "rectified_on": ("整改日期", "完成整改日期", "销号日期", "整改完成时间"),
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
    synonyms = {
        "inspected_on": ("巡查时间", "日期"),
        "inspector": ("巡查人员", "检查人"),
        "route": ("巡查范围", "巡查路线", "巡查地点"),
        "hazard": ("隐患",),
        "finding": ("发现问题", "巡查情况"),
        "action": ("处理情况", "整改措施"),
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
    synonyms = {
        "category": ("类别", "物品类型"),
        "holder": ("持有人", "经营户", "单位名称"),
        "item": ("品名", "名称"),
        "quantity": ("数量", "库存"),
        "unit": ("单位",),
        "storage": ("存放地点", "存放位置", "储存方式"),
        "checked_on": ("检查日期", "检查时间"),
        "result": ("检查情况",),
    }
    units = {"quantity": ("瓶", "袋", "箱", "公斤", "千克", "kg", "吨", "把", "件", "个", "桶")}


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
    synonyms = {
        "checked_on": ("检查时间", "日期"),
        "area": ("检查类别", "检查内容"),
        "departments": ("参加单位", "检查部门", "联合部门"),
        "findings": ("检查情况说明", "发现问题情况"),
        "problems_found": ("发现问题", "问题数"),
        "problems_rectified": ("已整改", "整改数"),
    }
    units = {"problems_found": ("个", "处", "条"), "problems_rectified": ("个", "处", "条")}

from django import forms

from safestar.core.ledger import Ledger, LedgerForm, register

from .models import ReligiousActivity, ReligiousVenue


@register
class ReligiousVenueLedger(Ledger):
    slug = "religious-venues"
    model = ReligiousVenue
    title = "宗教活动场所台账"
    group = "宗教"
    fields = (
        "name", "religion", "registered", "registration_number", "person_in_charge", "phone", "address",
        "regular_attendees", "known_since", "last_visited_on", "status",
    )
    list_display = ("name", "religion", "registered", "person_in_charge", "regular_attendees", "last_visited_on", "status")
    fill_once = ("known_since",)
    search_fields = ("name", "registration_number", "person_in_charge", "address")  # not the phone: it is encrypted
    date_field = "last_visited_on"
    kind_field = "religion"
    status_field = "status"
    example = {
        "name": "长岗村基督教聚会点", "religion": "christianity", "registered": True, "registration_number": "豫宗场证字（睢）0123号",
        "person_in_charge": "李秀英", "phone": "13937012345", "address": "长岗村东街12号", "regular_attendees": 35,
        "known_since": "2015-03-01", "last_visited_on": "2023-05-16", "status": "normal",
    }
    synonyms = {
        "name": ("名称", "活动场所名称", "聚会点名称"),
        "religion": ("教别", "宗教", "所属宗教"),
        "registered": ("是否登记", "是否依法登记", "登记情况", "是否办证"),
        "registration_number": ("证号", "登记证编号"),
        "person_in_charge": ("负责人", "管理人", "负责人姓名"),
        "phone": ("电话", "联系方式"),
        "address": ("场所地址", "位置"),
        "regular_attendees": ("信众人数", "经常参加人数", "活动人数", "信教群众人数"),
        "known_since": ("掌握时间", "建档日期", "登记造册日期"),
        "last_visited_on": ("走访日期", "最近走访日期", "最近一次走访"),
        "status": ("场所状态", "管理情况"),
    }


class ActivityForm(LedgerForm):
    """The ledger form (which offers only the venues the user may see), in village order, with the
    message a person understands when a venue is out of reach."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        venue = self.fields["venue"]
        venue.queryset = venue.queryset.select_related("division").order_by("division__code", "name")
        venue.empty_label = "（不在登记场所）"
        venue.error_messages["invalid_choice"] = "所选宗教活动场所不存在、已删除或不在您的管辖范围内"


@register
class ReligiousActivityLedger(Ledger):
    slug = "religious-activities"
    model = ReligiousActivity
    title = "宗教活动与线索台账"
    group = "宗教"
    fields = ("held_on", "kind", "venue", "content", "participants", "reported_to", "status", "closed_on", "result")
    list_display = ("held_on", "kind", "venue", "participants", "reported_to", "status")
    search_fields = ("content", "reported_to", "result", "venue__name")
    date_field = "held_on"
    kind_field = "kind"
    status_field = "status"
    example = {
        "held_on": "2023-03-12", "kind": "illegal_clue", "content": "村民反映有外地人员在村西头民房内组织私设聚会点传教",
        "participants": 15, "reported_to": "长岗镇综治中心、睢县民族宗教事务局", "status": "reported",
    }
    synonyms = {
        "held_on": ("活动日期", "时间", "发现时间"),
        "kind": ("类型", "活动类别"),
        "venue": ("场所", "活动场所"),
        "content": ("活动内容", "情况"),
        "participants": ("参加人数", "人数"),
        "reported_to": ("上报单位", "报送单位"),
        "status": ("办理情况",),
        "closed_on": ("办结时间",),
        "result": ("处理情况",),
    }

    @classmethod
    def form_class(cls):
        return forms.modelform_factory(cls.model, form=ActivityForm, fields=["division", *cls.fields])

    @classmethod
    def base_queryset(cls):
        # the venue is shown by its name with its village's: fetched in the same query
        return cls.model.objects.select_related("division", "venue__division")

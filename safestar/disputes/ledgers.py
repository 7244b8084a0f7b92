from safestar.core.ledger import Ledger, register

from .models import Dispute, LegalAdvisor, Mediator, Petition, StabilityMeeting


@register
class LegalAdvisorLedger(Ledger):
    slug = "legal-advisors"
    model = LegalAdvisor
    title = "法律顾问台账"
    fields = ("name", "organisation", "phone", "appointed_on", "visits_per_month", "active")
    list_display = ("name", "organisation", "appointed_on", "visits_per_month", "active")
    search_fields = ("name", "organisation")
    date_field = "appointed_on"
    status_field = "active"
    example = {
        "name": "王律师", "organisation": "河南睢州律师事务所", "phone": "13803701234",
        "appointed_on": "2023-01-10", "visits_per_month": 2, "active": True,
    }


@register
class MediatorLedger(Ledger):
    slug = "mediators"
    model = Mediator
    title = "人民调解员台账"
    fields = ("name", "role", "phone", "appointed_on", "party_member", "trained", "active")
    list_display = ("name", "role", "party_member", "trained", "active")
    search_fields = ("name",)
    date_field = "appointed_on"
    kind_field = "role"
    status_field = "active"
    example = {
        "name": "李长青", "role": "director", "phone": "13937045678", "appointed_on": "2023-02-15",
        "party_member": True, "trained": True, "active": True,
    }


@register
class DisputeLedger(Ledger):
    slug = "disputes"
    model = Dispute
    title = "矛盾纠纷排查化解台账"
    fields = ("received_on", "source", "parties", "category", "summary", "stage", "deadline", "closed_on", "result", "referred_to")
    list_display = ("received_on", "category", "parties", "stage", "deadline", "closed_on")
    search_fields = ("parties", "summary", "result", "referred_to")
    date_field = "received_on"
    kind_field = "category"
    status_field = "stage"
    example = {
        "received_on": "2023-03-06", "source": "screening", "parties": "张某某、李某某", "category": "homestead",
        "summary": "两户因宅基地界墙归属发生争执", "stage": "resolved", "deadline": "2023-04-05",
        "closed_on": "2023-03-20", "result": "经村调委会调解，双方签订调解协议，界墙按原址重砌",
    }


@register
class PetitionLedger(Ledger):
    slug = "petitions"
    model = Petition
    title = "信访台账"
    fields = ("received_on", "petitioner", "channel", "matter", "is_backlog", "status", "settled_on", "result")
    list_display = ("received_on", "petitioner", "channel", "is_backlog", "status", "settled_on")
    search_fields = ("petitioner", "matter", "result")
    date_field = "received_on"
    kind_field = "channel"
    status_field = "status"
    example = {
        "received_on": "2023-04-11", "petitioner": "赵某某", "channel": "visit", "matter": "反映邻村养殖场污水排入自家耕地",
        "is_backlog": False, "status": "settled", "settled_on": "2023-05-08",
        "result": "镇村联合督促养殖场整改并赔偿青苗损失，信访人表示满意",
    }


@register
class StabilityMeetingLedger(Ledger):
    slug = "stability-meetings"
    model = StabilityMeeting
    title = "矛盾纠纷分析研判台账"
    fields = ("held_on", "kind", "participants", "risks", "measures", "warnings_issued")
    list_display = ("held_on", "kind", "warnings_issued")
    search_fields = ("participants", "risks", "measures")
    date_field = "held_on"
    kind_field = "kind"
    example = {
        "held_on": "2023-06-28", "kind": "regular", "participants": "村党支部书记、调委会主任、驻村民警、网格员",
        "risks": "麦收后两户因地界问题有争执苗头", "measures": "调委会主任上门释法，约定麦收后共同丈量", "warnings_issued": 1,
    }

from safestar.core.ledger import Ledger, register

from .models import Dispute, disputes_overdue_on, LegalAdvisor, Mediator, Petition, StabilityMeeting


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
    synonyms = {
        "name": ("法律顾问", "顾问姓名"),
        "organisation": ("单位", "工作单位", "律师事务所", "所在单位"),
        "phone": ("电话", "联系方式"),
        "appointed_on": ("聘任时间", "聘用日期"),
        "visits_per_month": ("每月服务次数", "驻村次数"),
        "active": ("是否在聘", "状态"),
    }
    units = {"visits_per_month": ("次",)}


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
    synonyms = {
        "name": ("调解员姓名",),
        "role": ("职务", "队内职务"),
        "phone": ("电话", "联系方式"),
        "appointed_on": ("选聘时间", "聘任日期"),
        "party_member": ("政治面貌", "是否党员", "党员"),
        "trained": ("是否培训", "培训情况"),
        "active": ("是否在岗", "状态"),
    }


@register
class DisputeLedger(Ledger):
    slug = "disputes"
    model = Dispute
    overdue = staticmethod(lambda records, day: records.filter(disputes_overdue_on(day)))  # 超期未化解
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
    synonyms = {
        "received_on": ("受理时间", "排查日期", "登记日期", "排查时间", "发现时间", "受理日期"),
        "source": ("纠纷来源", "来源渠道"),
        "parties": ("当事人姓名", "当事人概况", "当事人双方", "双方当事人", "当事人情况"),
        "category": ("纠纷类别", "矛盾类型", "矛盾纠纷类型", "纠纷类型", "类型"),
        "summary": ("纠纷概况", "简要案情", "矛盾纠纷简要情况", "主要问题", "基本情况", "纠纷内容", "简要情况"),
        "stage": ("办理状态", "化解状态", "调处状态", "进展情况"),
        "deadline": ("化解时限", "办结时限", "限办日期"),
        "closed_on": ("化解日期", "办结时间", "化解时间", "调处日期"),
        "result": ("调处结果", "化解结果", "办理情况", "化解情况", "调处情况"),
        "referred_to": ("移交部门", "移送单位"),
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
    synonyms = {
        "received_on": ("来访日期", "信访日期", "受理日期", "登记时间", "来信来访日期"),
        "petitioner": ("信访人姓名", "上访人", "姓名", "反映人"),
        "channel": ("信访方式", "来访形式", "信访渠道"),
        "matter": ("反映问题", "主要诉求", "信访内容", "反映事项"),
        "is_backlog": ("是否积案", "积案", "是否信访积案"),
        "status": ("状态", "是否办结", "化解状态"),
        "settled_on": ("息诉日期", "化解日期", "息诉罢访日期"),
        "result": ("处理结果", "答复意见", "办理情况"),
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
    synonyms = {
        "held_on": ("研判时间", "会议日期", "会议时间", "日期"),
        "kind": ("研判类别", "会议类型"),
        "participants": ("参会人员", "参加人"),
        "risks": ("风险隐患", "研判内容", "排查发现的问题"),
        "measures": ("化解措施", "工作措施"),
        "warnings_issued": ("预警条数", "发出预警"),
    }
    units = {"warnings_issued": ("条", "次")}

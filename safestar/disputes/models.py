"""The 矛盾纠纷妥善化解 ledgers: legal advisors and mediators per village (一村一法律顾问、一村一支
人民调解员队伍), disputes from intake to closure, petitions with their backlog cases (信访积案), and the
regular stability analysis meetings (分析研判).

Phones are personal data: stored encrypted (EncryptedTextField) and masked in the audit log, as the
accounts' phones are. Names of disputing parties and petitioners are masked in the audit log, and
the records' names (`__str__`, which the audit log also keeps) do not contain them.
"""

from django.core.exceptions import ValidationError
from django.db import models

from safestar.core.cells import clerk_words
from django.db.models import Q

from safestar import clock
from safestar.core.crypto import PhoneField
from safestar.core.ledger import LedgerRecord
from safestar.core.masking import mask_name, mask_phone


def _closing_errors(obj, *, done, closed_field, start_field, closed_label, start_label, done_text, open_text):
    """The shared rule of a record that is closed on a date: the date is required once the record is
    done, refused while it is not, and may not be before the record's start. {field: message}."""
    closed_on, start = getattr(obj, closed_field), getattr(obj, start_field)
    if done and closed_on is None:
        return {closed_field: f"{done_text}时必须填写{closed_label}"}
    if not done and closed_on is not None:
        return {closed_field: f"{open_text}，不应填写{closed_label}"}
    if closed_on is not None and start is not None and closed_on < start:
        return {closed_field: f"{closed_label}不能早于{start_label}"}
    return {}


# ── 法律顾问 ─────────────────────────────────────────────────────────────────────────────────


class LegalAdvisor(LedgerRecord):
    """The village's legal advisor (一村一法律顾问), usually a lawyer or a 司法所 worker."""

    name = models.CharField("姓名", max_length=40)
    organisation = models.CharField("所在律师事务所（单位）", max_length=100)
    phone = PhoneField("联系电话")
    appointed_on = models.DateField("聘任日期")
    visits_per_month = models.PositiveSmallIntegerField("每月驻村服务（次）", null=True, blank=True)
    active = models.BooleanField("在聘", default=True, help_text="解聘时取消勾选，并填写变更生效日期")

    data_field = "disputes"
    tracked_fields = ("active",)  # core/states.py
    audit_masked = {"phone": mask_phone}

    class Meta:
        verbose_name = verbose_name_plural = "法律顾问"
        indexes = [models.Index(fields=["division", "appointed_on"])]

    def __str__(self):
        return f"法律顾问 {self.name}（{self.organisation}）"


# ── 人民调解员 ───────────────────────────────────────────────────────────────────────────────


class MediatorRole(models.TextChoices):
    DIRECTOR = "director", "调解委员会主任"
    MEMBER = "member", "委员"
    MEDIATOR = "mediator", "调解员"
    GRID = "grid", "网格员"


clerk_words(MediatorRole, {
    MediatorRole.DIRECTOR: ("主任", "调委会主任"),
    MediatorRole.MEMBER: ("调委会委员", "成员"),
    MediatorRole.MEDIATOR: ("人民调解员", "专职调解员", "兼职调解员"),
})


class Mediator(LedgerRecord):
    """A member of the village's people's mediation team (一村一支人民调解员队伍); grid workers join it
    because they screen disputes (排查) in their grids."""

    name = models.CharField("姓名", max_length=40)
    role = models.CharField("队伍中的职务", max_length=10, choices=MediatorRole.choices, default=MediatorRole.MEDIATOR)
    phone = PhoneField("联系电话")
    appointed_on = models.DateField("选聘日期")
    party_member = models.BooleanField("中共党员", default=False)
    trained = models.BooleanField("已参加业务培训", default=False)
    active = models.BooleanField("在岗", default=True, help_text="离任时取消勾选，并填写变更生效日期")

    data_field = "disputes"
    tracked_fields = ("active",)  # core/states.py
    audit_masked = {"phone": mask_phone}

    class Meta:
        verbose_name = verbose_name_plural = "人民调解员"
        indexes = [models.Index(fields=["division", "appointed_on"])]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"


# ── 矛盾纠纷 ─────────────────────────────────────────────────────────────────────────────────


class DisputeSource(models.TextChoices):
    SCREENING = "screening", "排查发现"
    REPORTED = "reported", "群众反映"
    ASSIGNED = "assigned", "上级交办"
    TRANSFERRED = "transferred", "部门移交"
    OTHER = "other", "其他"


clerk_words(DisputeSource, {
    DisputeSource.SCREENING: ("排查", "主动排查", "网格员排查", "走访排查"),
    DisputeSource.REPORTED: ("来访", "群众来访", "群众求助", "当事人申请", "群众反映"),
    DisputeSource.ASSIGNED: ("交办", "上级交办件"),
    DisputeSource.TRANSFERRED: ("移交", "部门转办", "转办"),
})


class DisputeCategory(models.TextChoices):
    FAMILY = "family", "婚姻家庭"
    NEIGHBOUR = "neighbour", "邻里"
    LAND = "land", "土地山林"
    HOMESTEAD = "homestead", "宅基地"
    LABOUR = "labour", "劳资"
    DEBT = "debt", "合同债务"
    OTHER = "other", "其他"


clerk_words(DisputeCategory, {
    DisputeCategory.FAMILY: ("婚姻家庭纠纷", "婚姻", "家庭", "婚姻家庭类", "家庭纠纷"),
    DisputeCategory.NEIGHBOUR: ("邻里纠纷", "邻里关系", "邻里矛盾"),
    DisputeCategory.LAND: ("土地纠纷", "土地承包", "土地承包纠纷", "山林土地纠纷", "土地"),
    DisputeCategory.HOMESTEAD: ("宅基地纠纷", "宅基地界址", "宅基"),
    DisputeCategory.LABOUR: ("劳资纠纷", "劳动争议", "拖欠工资", "欠薪"),
    DisputeCategory.DEBT: ("债务纠纷", "借贷纠纷", "合同纠纷", "民间借贷", "债权债务"),
    DisputeCategory.OTHER: ("其它", "其他纠纷"),
})


class DisputeStage(models.TextChoices):
    ACCEPTED = "accepted", "受理"
    SCREENING = "screening", "排查"
    MEDIATING = "mediating", "调解中"
    RESOLVED = "resolved", "已化解"
    REFERRED = "referred", "已移交"


clerk_words(DisputeStage, {
    DisputeStage.ACCEPTED: ("已受理", "待化解", "待调解"),
    DisputeStage.SCREENING: ("排查中", "已排查"),
    DisputeStage.MEDIATING: ("正在调解", "化解中", "调处中", "跟踪化解", "未化解"),
    DisputeStage.RESOLVED: ("调解成功", "化解成功", "已调解", "已调处", "调处成功", "已解决", "化解"),
    DisputeStage.REFERRED: ("移交", "已移送", "移送", "已转办"),
})


CLOSED_STAGES = (DisputeStage.RESOLVED, DisputeStage.REFERRED)


def disputes_open_on(day):
    """The condition "the dispute was still open on `day`": its stage is not closed, or it was closed
    only after that day. Used by Dispute.is_overdue() and the metric disputes.overdue alike."""
    return ~Q(stage__in=CLOSED_STAGES) | Q(closed_on__gt=day)


def disputes_overdue_on(day, deadline="deadline"):
    """The overdue rule as a condition: received by `day`, still open on `day`, deadline before `day`
    (on the deadline itself a dispute is not yet overdue). `deadline` names the deadline to compare:
    the metric passes the deadline as it stood on `day` (asof_deadline, core/states.py)."""
    return Q(received_on__lte=day, **{f"{deadline}__lt": day}) & disputes_open_on(day)


class Dispute(LedgerRecord):
    """A dispute from intake (受理) to closure (已化解 / 已移交), with a deadline for resolving it."""

    received_on = models.DateField("受理日期")
    source = models.CharField("来源", max_length=12, choices=DisputeSource.choices, default=DisputeSource.SCREENING)
    parties = models.CharField("当事人", max_length=200, help_text="当事各方姓名，如“张某某、李某某”")
    category = models.CharField("纠纷类型", max_length=10, choices=DisputeCategory.choices)
    summary = models.TextField("纠纷简要情况")
    stage = models.CharField("办理阶段", max_length=10, choices=DisputeStage.choices, default=DisputeStage.ACCEPTED)
    deadline = models.DateField("化解期限", help_text="可以晚于今天；过了期限仍未化解或移交即为超期")
    closed_on = models.DateField("办结日期", null=True, blank=True, help_text="已化解或已移交时必填")
    result = models.TextField("化解结果", blank=True)
    referred_to = models.CharField("移交单位", max_length=100, blank=True, help_text="已移交时必填")

    data_field = "disputes"
    future_date_fields = ("deadline",)
    tracked_fields = ("deadline",)  # an extended deadline does not make a past year's overdue dispute timely
    audit_masked = {"parties": mask_name}

    class Meta:
        verbose_name = verbose_name_plural = "矛盾纠纷"
        indexes = [models.Index(fields=["division", "received_on"]), models.Index(fields=["stage", "deadline"])]

    def __str__(self):
        return f"{self.received_on} {self.get_category_display()}纠纷"

    @property
    def is_closed(self):
        return self.stage in CLOSED_STAGES

    def is_overdue(self, today=None):
        """True when, on `today` (default: the real today), the dispute had been received, was not yet
        closed, and its deadline had passed. The same rule as `disputes_overdue_on` and the metric."""
        day = today or clock.today()
        still_open = not self.is_closed or (self.closed_on is not None and self.closed_on > day)
        return self.received_on <= day and self.deadline < day and still_open

    def clean(self):
        super().clean()
        errors = _closing_errors(
            self, done=self.is_closed, closed_field="closed_on", start_field="received_on",
            closed_label="办结日期", start_label="受理日期", done_text="纠纷已化解或已移交", open_text="纠纷尚未化解或移交",
        )
        if self.deadline is not None and self.received_on is not None and self.deadline < self.received_on:
            errors["deadline"] = "化解期限不能早于受理日期"
        if self.stage == DisputeStage.REFERRED and not self.referred_to.strip():
            errors["referred_to"] = "纠纷已移交时必须填写移交单位"
        if errors:
            raise ValidationError(errors)


# ── 信访 ─────────────────────────────────────────────────────────────────────────────────────


class PetitionChannel(models.TextChoices):
    VISIT = "visit", "来访"
    LETTER = "letter", "来信"
    ONLINE = "online", "网上"
    PHONE = "phone", "电话"
    SKIP_LEVEL = "skip_level", "越级"


clerk_words(PetitionChannel, {
    PetitionChannel.VISIT: ("走访", "上访", "来访上访"),
    PetitionChannel.LETTER: ("信件", "写信"),
    PetitionChannel.ONLINE: ("网上信访", "网信", "网络"),
    PetitionChannel.PHONE: ("来电", "热线", "12345热线"),
    PetitionChannel.SKIP_LEVEL: ("越级访", "越级上访"),
})


class PetitionStatus(models.TextChoices):
    HANDLING = "handling", "办理中"
    CONCLUDED = "concluded", "已办结"
    SETTLED = "settled", "已化解息诉"


clerk_words(PetitionStatus, {
    PetitionStatus.HANDLING: ("正在办理", "在办", "未办结"),
    PetitionStatus.CONCLUDED: ("办结", "已结案", "结案"),
    PetitionStatus.SETTLED: ("息诉罢访", "已息诉", "已化解", "化解息诉"),
})


class Petition(LedgerRecord):
    """A petition (信访事项) from a villager, and whether it is a backlog case (信访积案)."""

    received_on = models.DateField("登记日期")
    petitioner = models.CharField("信访人", max_length=100)
    channel = models.CharField("信访形式", max_length=12, choices=PetitionChannel.choices)
    matter = models.TextField("信访事项")
    is_backlog = models.BooleanField("信访积案", default=False)
    status = models.CharField("办理状态", max_length=10, choices=PetitionStatus.choices, default=PetitionStatus.HANDLING)
    settled_on = models.DateField("化解息诉日期", null=True, blank=True, help_text="已化解息诉时必填")
    result = models.TextField("办理结果", blank=True)

    data_field = "petitions"
    tracked_fields = ("is_backlog",)  # core/states.py
    audit_masked = {"petitioner": mask_name}

    class Meta:
        verbose_name = verbose_name_plural = "信访事项"
        indexes = [models.Index(fields=["division", "received_on"]), models.Index(fields=["is_backlog", "status"])]

    def __str__(self):
        return f"{self.received_on} {self.get_channel_display()}信访{'（积案）' if self.is_backlog else ''}"

    def clean(self):
        super().clean()
        errors = _closing_errors(
            self, done=self.status == PetitionStatus.SETTLED, closed_field="settled_on", start_field="received_on",
            closed_label="化解息诉日期", start_label="登记日期", done_text="已化解息诉", open_text="尚未化解息诉",
        )
        if errors:
            raise ValidationError(errors)


# ── 分析研判会 ───────────────────────────────────────────────────────────────────────────────


class MeetingKind(models.TextChoices):
    REGULAR = "regular", "定期研判"
    SPECIAL = "special", "专题研判"
    OCCASION = "occasion", "重要节点研判"


clerk_words(MeetingKind, {
    MeetingKind.REGULAR: ("例会", "月度研判", "定期"),
    MeetingKind.SPECIAL: ("专题", "专项研判"),
    MeetingKind.OCCASION: ("节点研判", "敏感节点研判"),
})


class StabilityMeeting(LedgerRecord):
    """A meeting analysing the village's stability risks (矛盾纠纷分析研判), with the early warnings
    (预警) it issued."""

    held_on = models.DateField("研判日期")
    kind = models.CharField("研判类型", max_length=10, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    participants = models.TextField("参加人员")
    risks = models.TextField("研判发现的风险隐患", blank=True)
    measures = models.TextField("防范化解措施", blank=True)
    warnings_issued = models.PositiveSmallIntegerField("发出预警（条）", default=0)

    data_field = "disputes"

    class Meta:
        verbose_name = verbose_name_plural = "分析研判会"
        indexes = [models.Index(fields=["division", "held_on"])]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}会"

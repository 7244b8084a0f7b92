from django.conf import settings
from django.db import models
from django.urls import reverse

from safestar.core.scope import ScopedQuerySet
from safestar.core.transitions import Flow, Transition
from safestar.org.roles import can, holders


def _departments_that_evaluate(queryset, user):
    """Departments see evaluation rounds only when they share the evaluation field or sit at the
    county (each county department scores the indicators of its own field): "evaluation.view"."""
    return queryset if can(user, "evaluation.view") else queryset.none()


class Late(models.TextChoices):
    """What happens to a submission after its stage's deadline (per round: the town chooses for its
    villages' self-assessments, the county for the towns' forwarding). Until a choice is made a late
    submission is accepted with the 逾期 mark."""

    ACCEPT = "accept", "逾期可提交，标记逾期"
    APPROVE = "approve", "逾期提交须经同意"


class Round(models.Model):
    """An evaluation round (年度评查) of a scheme for a county or a town, with its timetable."""

    class Status(models.TextChoices):
        OPEN = "open", "评查中"
        PUBLISHED = "published", "已公示"

    scheme = models.ForeignKey("schemes.Scheme", models.PROTECT, related_name="rounds", verbose_name="评查方案")
    area = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="评查范围")
    self_deadline = models.DateField("村自评截止日期")
    town_deadline = models.DateField("乡镇初审截止日期")
    county_deadline = models.DateField("县级评查截止日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="组织人")
    opened_at = models.DateTimeField("开始时间", auto_now_add=True)
    publish_start = models.DateField("公示开始日期", null=True, blank=True)
    publish_end = models.DateField("公示结束日期", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="公示人"
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    # The results as published, frozen: [{village, code, name, town, total, status, band, county_rank,
    # town_rank}] in the order published. The publication page and document always show this; what
    # changes later (摘星, unlocks, re-recognitions) is listed beside it (services.publication_changes).
    snapshot = models.JSONField("公示时的结果", default=list, blank=True)
    # After 村自评截止: each town's choice for its own villages ({town id: Late value}); after
    # 乡镇初审截止: the county's choice for the towns' forwarding. Changed only by
    # services.set_late_policy (audited); unset means Late.ACCEPT.
    self_late = models.JSONField("村逾期提交自评的处理（各乡镇）", default=dict, blank=True)
    town_late = models.CharField("乡镇逾期报送的处理", max_length=10, choices=Late.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_path = "area__path"
    scope_read = "reads_business"
    scope_write = None  # changed only through its transition table (below) and evaluation.services
    scope_include_ancestors = True  # a village reads the round its town or county runs

    class Meta:
        verbose_name = verbose_name_plural = "评查轮次"
        ordering = ["-scheme__year", "-id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "area"], name="round_scheme_area_unique")]

    def __str__(self):
        return f"{self.scheme.year}年{self.area.name}{self.scheme.star}评查"

    @classmethod
    def scope_extra(cls, queryset, user, write=False):
        return _departments_that_evaluate(queryset, user)

    def get_absolute_url(self):
        return reverse("evaluation-round", args=[self.pk])


class Entry(models.Model):
    """One village in a round: where it stands in the workflow and who moved it."""

    class Status(models.TextChoices):
        SELF = "self", "村自评中"
        LATE = "late", "逾期提交待乡镇同意"
        SUBMITTED = "submitted", "待乡镇初审"
        RETURNED = "returned", "已退回村修改"
        REVIEWED = "reviewed", "乡镇已初审"
        LATE_FORWARDED = "late_forward", "逾期报送待县级同意"
        FORWARDED = "forwarded", "待县级评查"
        EVALUATED = "evaluated", "县级已评查"
        RECOGNISED = "recognised", "已认定（锁定）"

    round = models.ForeignKey(Round, models.CASCADE, related_name="entries", verbose_name="评查轮次")
    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SELF)
    version = models.PositiveIntegerField(default=1)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="自评提交人")
    submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="乡镇初审人")
    reviewed_at = models.DateTimeField("乡镇初审时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="乡镇报送人")
    forwarded_at = models.DateTimeField("乡镇报送时间", null=True, blank=True)
    submitted_late = models.BooleanField("逾期提交自评", default=False)  # after the round's self_deadline
    forwarded_late = models.BooleanField("乡镇逾期报送", default=False)  # after the round's town_deadline
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县级评查人")
    evaluated_at = models.DateTimeField("县级评查时间", null=True, blank=True)
    recognised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="认定人")
    recognised_at = models.DateTimeField("认定时间", null=True, blank=True)
    # The result as recognised (the engine's, at that moment): what the star record was awarded on.
    total = models.FloatField("认定得分", null=True, blank=True)
    result = models.CharField("认定结果", max_length=10, blank=True)
    band = models.CharField("认定星级", max_length=30, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = None  # changed only through evaluation.services

    class Meta:
        verbose_name = verbose_name_plural = "村评查记录"
        ordering = ["village__code"]
        constraints = [models.UniqueConstraint(fields=["round", "village"], name="entry_round_village_unique")]

    def __str__(self):
        return f"{self.round}：{self.village.name}"

    @classmethod
    def scope_extra(cls, queryset, user, write=False):
        return _departments_that_evaluate(queryset, user)

    def get_absolute_url(self):
        return reverse("evaluation-entry", args=[self.pk])

    @property
    def locked(self):
        return self.status == self.Status.RECOGNISED

    @property
    def late_marks(self):
        """The entry's 逾期 marks as a reader sees them: "逾期提交自评、乡镇逾期报送", or ""."""
        marks = ((self.submitted_late, "逾期提交自评"), (self.forwarded_late, "乡镇逾期报送"))
        return "、".join(label for late, label in marks if late)


S = Entry.Status
_OWN = "不能{}自己提交或经手的评查材料"
_HANDLERS = ("submitted_by", "reviewed_by", "forwarded_by")
Flow(Entry, [
    Transition("submit", (S.SELF, S.RETURNED), S.SUBMITTED, "evaluation.submit", "提交自评", who="只有村干部（或乡镇代填）可以提交自评",
               confirm="提交后自评材料交乡镇初审，村里不能再修改说明和佐证，除非乡镇退回。"),
    Transition("submit_late", (S.SELF, S.RETURNED), S.LATE, "evaluation.submit", "逾期提交自评（须乡镇同意）", title="逾期提交自评",
               who="只有村干部（或乡镇代填）可以提交自评",
               confirm="村自评已过截止日期，本镇规定逾期提交须经乡镇同意：提交后材料不能再修改，等待乡镇同意后进入初审。"),
    Transition("admit", (S.LATE,), S.SUBMITTED, "evaluation.late_self", "同意逾期提交", title="同意逾期提交自评",
               not_by=("submitted_by",), own=_OWN.format("同意"), who="只有本镇平安办可以同意逾期提交的自评"),
    Transition("return", (S.SUBMITTED, S.LATE), S.RETURNED, "evaluation.review_town", "退回村修改", reason="退回须写明原因", reason_label="退回原因",
               reason_max=200, comment_as="return_reason", not_by=("submitted_by",), own=_OWN.format("审核"),
               who="只有乡镇平安办或工作专班可以退回"),
    Transition("review", (S.SUBMITTED,), S.REVIEWED, "evaluation.review_town", "初审通过", title="乡镇初审通过",
               not_by=("submitted_by",), own=_OWN.format("审核"), who="只有乡镇平安办或工作专班可以初审"),
    Transition("forward", (S.REVIEWED,), S.FORWARDED, "evaluation.forward", "报送县级评查", batch=True, who="只有本镇平安办可以报送",
               confirm="报送后本镇已初审的村交县级评查，乡镇不能再调整这些村的得分。"),
    Transition("forward_late", (S.REVIEWED,), S.LATE_FORWARDED, "evaluation.forward", "逾期报送县级评查（须县级同意）", batch=True,
               title="逾期报送县级评查", who="只有本镇平安办可以报送",
               confirm="乡镇初审已过截止日期，县级规定逾期报送须经县级同意：报送后等待县级同意再进入县级评查。"),
    Transition("admit_forward", (S.LATE_FORWARDED,), S.FORWARDED, "evaluation.late_town", "同意逾期报送", title="同意乡镇逾期报送",
               not_by=("forwarded_by",), own=_OWN.format("同意"), who="只有县政法委评查员可以同意乡镇逾期报送"),
    Transition("evaluate", (S.FORWARDED,), S.EVALUATED, "evaluation.evaluate", "县级评查完成", not_by=_HANDLERS, own=_OWN.format("评查"),
               who="只有县政法委评查员可以完成县级评查",
               confirm="完成后县级调整的得分不能再修改，评查结果交认定。"),
    Transition("recognise", (S.EVALUATED,), S.RECOGNISED, "evaluation.recognise", "认定并锁定", title="认定评查结果",
               not_by=_HANDLERS, own=_OWN.format("认定"), who="只有县政法委评查员可以认定",
               confirm="认定后结果锁定，任何人都不能再修改任何一项；达标的村授星。"),
    Transition("unlock", (S.RECOGNISED,), S.FORWARDED, "evaluation.unlock", "解锁", title="解锁评查结果", reason="解锁须写明原因",
               reason_label="解锁原因", reason_max=200, comment_as="reason", who="只有县级或更高层级的评查人员可以解锁",
               confirm="解锁后回到县级评查，认定的得分和结果清空，已授的星记一条摘星。"),
])
# The stages of an entry, each the source states of the step that ends it: the table above is the
# one place they are written. The village assesses itself (and its evidence may change) until it
# submits; the town reviews; the county evaluates.
VILLAGE_STAGE = Entry.flow["submit"].source
TOWN_STAGE = Entry.flow["review"].source
COUNTY_STAGE = Entry.flow["evaluate"].source
LATE_STAGE = Entry.flow["admit"].source  # submitted after the deadline, waiting for the town's consent
BEFORE_REVIEW = VILLAGE_STAGE + LATE_STAGE + TOWN_STAGE  # a town forwards its villages only when none is still here

Flow(Round, [
    Transition("publish", (Round.Status.OPEN,), Round.Status.PUBLISHED, "evaluation.publish", "公示结果", title="公示评查结果",
               who="只有县政法委评查员可以公示"),
], division="area")


class LineQuerySet(ScopedQuerySet):
    def alive(self):
        """The lines whose evidence may still change: the attachment views write only to these (a
        village attaches evidence while it assesses itself, never after it has submitted)."""
        return self.filter(entry__status__in=VILLAGE_STAGE)


class Line(models.Model):
    """One indicator of a village's entry: the engine's proposal (as submitted), the village's
    explanation and evidence, the town's and the county's adjustments with their reasons."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="lines", verbose_name="村评查记录")
    indicator = models.CharField("指标编号", max_length=20)
    proposed = models.FloatField("系统建议得分", null=True, blank=True)
    proposed_reason = models.TextField("系统失分说明", blank=True)
    explanation = models.TextField("村自评说明", blank=True)
    town_points = models.FloatField("乡镇调整得分", null=True, blank=True)
    town_reason = models.TextField("乡镇调整理由", blank=True)
    town_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="乡镇调整人")
    county_points = models.FloatField("县级调整得分", null=True, blank=True)
    county_reason = models.TextField("县级调整理由", blank=True)
    county_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县级评分人")

    objects = LineQuerySet.as_manager()
    scope_path = "entry__village__path"
    scope_read = "reads_business"
    scope_write = "writes_business"  # only for attachments; points go through evaluation.services
    scope_write_roles = holders("evaluation.self_assess")  # the village's evidence (the town fills in for it)
    has_attachments = True

    def locked_reason(self):
        """Evidence is the village's self-assessment: it can change only until it is submitted."""
        if self.entry.status not in VILLAGE_STAGE:
            return "自评已提交，佐证材料不能再增删"
        return None

    class Meta:
        verbose_name = verbose_name_plural = "评查指标"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["entry", "indicator"], name="line_entry_indicator_unique")]

    def __str__(self):
        return f"{self.entry.village.name} {self.indicator}"

    @classmethod
    def scope_extra(cls, queryset, user, write=False):
        return _departments_that_evaluate(queryset, user)

    def get_absolute_url(self):
        return reverse("evaluation-entry", args=[self.entry_id]) + f"#line-{self.indicator}"

    def given(self):
        """(points, reason) the engine takes for this indicator, or None: the latest level's."""
        if self.county_points is not None:
            return self.county_points, f"县级评查：{self.county_reason}" if self.county_reason else ""
        if self.town_points is not None:
            return self.town_points, f"乡镇初审：{self.town_reason}" if self.town_reason else ""
        if self.proposed is not None:
            return self.proposed, self.proposed_reason
        return None


class StarRecord(models.Model):
    """The star of a village in a year: awarded when recognised, withdrawn (摘星) later. Records are
    only ever added, so the history of a village's star stays."""

    class Action(models.TextChoices):
        AWARDED = "awarded", "授星"
        WITHDRAWN = "withdrawn", "摘星"

    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    year = models.PositiveSmallIntegerField("年度")
    round = models.ForeignKey(Round, models.PROTECT, related_name="stars", verbose_name="评查轮次")
    star = models.CharField("星级", max_length=30)
    band = models.CharField("档次", max_length=30, blank=True)
    action = models.CharField("事项", max_length=10, choices=Action.choices)
    on = models.DateField("日期")
    incident = models.ForeignKey("incidents.Incident", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="案事件")
    reason = models.CharField("原因", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="经办人")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = None

    class Meta:
        verbose_name = verbose_name_plural = "星级记录"
        ordering = ["village__code", "year", "id"]

    def __str__(self):
        return f"{self.year}年 {self.village.name} {self.get_action_display()}：{self.band or self.star}"


class Objection(models.Model):
    """An objection (异议) to a village's published result, raised during the publication period:
    who raised it, when it was received, what it says, who recorded it; then its outcome (成立 /
    不成立, with the handling written down) through the table below."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        REJECTED = "rejected", "异议不成立"

    round = models.ForeignKey(Round, models.CASCADE, related_name="objections", verbose_name="评查轮次")
    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    raised_by = models.CharField("异议人", max_length=50, help_text="提出异议的人或单位")
    received_on = models.DateField("收到日期", help_text="须在公示期内")
    content = models.TextField("异议内容", max_length=2000)
    status = models.CharField("处理状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("处理结果", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = None  # recorded and decided only through evaluation.services

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["received_on", "id"]

    def __str__(self):
        return f"{self.village.name}：{self.raised_by}的异议"

    @classmethod
    def scope_extra(cls, queryset, user, write=False):
        return _departments_that_evaluate(queryset, user)

    def get_absolute_url(self):
        return reverse("evaluation-round", args=[self.round_id]) + f"#objection-{self.pk}"


O = Objection.Status
Flow(Objection, [
    Transition("uphold", (O.OPEN,), O.UPHELD, "evaluation.publish", "异议成立", title="认定异议成立", reason="须写明处理结果",
               reason_label="处理结果", reason_max=500, comment_as="outcome", who="只有县政法委评查员可以处理公示异议",
               confirm="异议成立：请写明如何处理（如解锁该村重新评查）。"),
    Transition("reject", (O.OPEN,), O.REJECTED, "evaluation.publish", "异议不成立", title="认定异议不成立", reason="须写明处理结果",
               reason_label="处理结果", reason_max=500, comment_as="outcome", who="只有县政法委评查员可以处理公示异议"),
])

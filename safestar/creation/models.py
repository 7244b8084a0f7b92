"""Creation and supervision (创建与督导): a village applies to take part in a star for a year, the
town office confirms it and a task list is generated from the scheme's indicators; the town office
inspects villages with the departments, and each problem found becomes a rectification plan for the
village (个性问题) or a special campaign run by a department (共性问题).

Every status change is a step of the model's transition table (`Flow`, declared below the
models) taken by safestar.core.transitions.perform: conditional update, event row, audit."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from safestar.clock import today
from safestar.core.scope import ScopedQuerySet
from safestar.core.transitions import Flow, Transition
from safestar.org.roles import DataField, holders


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class TaskStatus(models.TextChoices):
    OPEN = "open", "未完成"
    DONE = "done", "已完成"


class TaskBasis(models.TextChoices):
    """How a task is completed: by a person with evidence, or by its indicator's live score."""

    MANUAL = "manual", "人工完成"
    INDICATOR = "indicator", "随指标达标"
    OUTCOME = "outcome", "全年保持"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    HELD = "held", "已开展"


class Severity(models.TextChoices):
    GENERAL = "general", "一般"
    SERIOUS = "serious", "较重"
    MAJOR = "major", "严重"


class FindingKind(models.TextChoices):
    INDIVIDUAL = "individual", "个性问题"
    COMMON = "common", "共性问题"


class PlanStatus(models.TextChoices):
    OPEN = "open", "整改中"
    SUBMITTED = "submitted", "待验收"
    CLOSED = "closed", "已销号"


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", "整治中"
    COMPLETED = "completed", "已完成"


class Scoped(models.Model):
    """What every creation record shares: the scope declaration and who wrote it when."""

    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录入人")

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = "writes_business"
    data_field = DataField.CREATION
    # Village-level work is the village's and its town office's: county departments that share the
    # creation field (组织部, 政法委) read it but do not write it. A campaign's leading department
    # records completions through the campaign ("creation.run_campaign"), not by writing tasks.
    scope_write_roles = holders("creation.write_village_work")

    class Meta:
        abstract = True


class Application(Scoped):
    """A village's application to take part (申请创建) in a scheme's star for its year."""

    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村", limit_choices_to={"level": "village"})
    scheme = models.ForeignKey("schemes.Scheme", models.PROTECT, related_name="+", verbose_name="创建方案")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED)
    note = models.TextField("申请说明", blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="申请人")
    applied_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="确认人")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    reason = models.CharField("确认意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "创建申请"
        ordering = ["-year", "village__code"]
        constraints = [models.UniqueConstraint(fields=["village", "scheme"], name="application_unique")]

    def __str__(self):
        return f"{self.village.name} {self.year}年{self.scheme.star}创建申请"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("application", args=[self.pk])


class SpecialCampaign(models.Model):
    """A special campaign (专项整治) against a problem common to several villages, run by a department."""

    town = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="乡镇")
    title = models.CharField("专项整治名称", max_length=100)
    department = models.ForeignKey("org.Department", models.PROTECT, related_name="+", verbose_name="牵头部门")
    villages = models.ManyToManyField("org.Division", related_name="+", verbose_name="涉及村")
    description = models.TextField("整治内容", blank=True)
    deadline = models.DateField("完成期限")
    status = models.CharField("状态", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录入人")

    # A campaign belongs to the town; every business reader there (departments included, whatever
    # fields they share: the campaign is theirs to run) sees it, and the villages it covers read it
    # (a village does not learn of a campaign against its neighbours' problems).
    objects = ScopedQuerySet.as_manager()
    scope_path = "town__path"
    scope_read = "reads_business"
    scope_write = "writes_business"
    scope_include_ancestors = True
    data_field = None

    @staticmethod
    def scope_extra(queryset, user, write=False):
        if user.division.level != "village":
            return queryset
        covering = SpecialCampaign.villages.through.objects.filter(division=user.division_id)
        return queryset.filter(pk__in=covering.values("specialcampaign"))

    class Meta:
        verbose_name = verbose_name_plural = "专项整治"
        ordering = ["-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("campaign", args=[self.pk])

    @staticmethod
    def overdue_q(prefix=""):
        """The overdue rule as a query condition (prefix: the relation to reach it, e.g. "campaign__")."""
        return Q(**{f"{prefix}status": CampaignStatus.ACTIVE, f"{prefix}deadline__lt": today()})

    @property
    def overdue(self):
        return self.status == CampaignStatus.ACTIVE and self.deadline < today()


class Task(Scoped):
    """One task of a village: from an indicator of the scheme when the application is confirmed, or
    added by the town office, or a village's part of a special campaign."""

    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    application = models.ForeignKey(Application, models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name="创建申请")
    campaign = models.ForeignKey(SpecialCampaign, models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name="专项整治")
    indicator = models.CharField("指标编号", max_length=20, blank=True)
    category = models.CharField("类别", max_length=100, blank=True)
    title = models.CharField("任务", max_length=200)
    # manual: completed by a person (the transition table); indicator: complete exactly while the
    # scheme's computed indicator is met (services.task_states); outcome: a zero-incident indicator
    # kept all year, no due date.
    basis = models.CharField("完成方式", max_length=10, choices=TaskBasis.choices, default=TaskBasis.MANUAL)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任人")
    due_on = models.DateField("完成期限", null=True, blank=True)  # none for outcome tasks (全年保持)
    status = models.CharField("状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    evidence = models.TextField("完成情况", blank=True)
    links = models.JSONField("关联台账记录", default=list, blank=True)  # [{"ledger": slug, "id": pk, "label": str}]
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="完成人")
    completed_on = models.DateField("完成日期", null=True, blank=True)

    has_attachments = True

    class Meta:
        verbose_name = verbose_name_plural = "创建任务"
        ordering = ["due_on", "indicator", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.village.name}：{self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("task", args=[self.pk])

    @staticmethod
    def overdue_q(prefix=""):
        """The overdue candidates as a query condition (prefix: the relation to reach it, e.g.
        "tasks__"): open and past the due date. An outcome task has no due date; an indicator
        task among them is overdue only while its indicator is not met, which services.task_states
        decides from the evaluation's facts."""
        return Q(**{f"{prefix}status": TaskStatus.OPEN, f"{prefix}due_on__lt": today()})

    # The live state of an indicator or outcome task (services.task_states sets it: a State, or
    # None when the indicator could not be evaluated); manual tasks go by their stored status.
    live = None

    @property
    def automatic(self):
        return self.basis != TaskBasis.MANUAL

    @property
    def done(self):
        if self.basis == TaskBasis.MANUAL:
            return self.status == TaskStatus.DONE
        return bool(self.live and self.live.met)

    @property
    def overdue(self):
        if self.due_on is None or self.due_on >= today() or self.done:
            return False
        return self.basis == TaskBasis.INDICATOR or self.status == TaskStatus.OPEN

    @property
    def state_label(self):
        """The status as a person reads it: an indicator task's follows the score, an outcome task is kept all year."""
        if self.basis == TaskBasis.MANUAL:
            return self.get_status_display()
        if self.live is None or self.live.met is None:
            return "待定（指标暂不能计算）"
        if self.basis == TaskBasis.OUTCOME:
            return "全年保持：目前保持" if self.live.met else "全年保持：未保持"
        return "已完成（指标已达标）" if self.live.met else "未完成（指标未达标）"

    def locked_reason(self):
        """Evidence (attachments) may not change once the task is completed; the town office returns it first."""
        if self.status != TaskStatus.OPEN:
            return "该任务已完成，佐证材料不能再修改；如需补充，请由镇平安办先退回任务。"
        return None


class Inspection(Scoped):
    """A supervision visit (督导调研) planned and held by the town office with departments."""

    town = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="乡镇")
    title = models.CharField("督导主题", max_length=100)
    planned_on = models.DateField("计划日期")
    held_on = models.DateField("开展日期", null=True, blank=True)
    departments = models.ManyToManyField("org.Department", blank=True, related_name="+", verbose_name="参加部门")
    villages = models.ManyToManyField("org.Division", related_name="+", verbose_name="督导村")
    status = models.CharField("状态", max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED)
    note = models.TextField("总体情况", blank=True)

    scope_path = "town__path"
    scope_write_roles = holders("creation.inspect")  # the town office's own record: villages read it, never write it

    class Meta:
        verbose_name = verbose_name_plural = "督导检查"
        ordering = ["-planned_on", "-id"]

    def __str__(self):
        return f"{self.planned_on} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("inspection", args=[self.pk])


class Finding(Scoped):
    """A problem found in a village during an inspection. Photos are attachments."""

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="findings", verbose_name="督导检查")
    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    indicator = models.CharField("对应指标", max_length=20, blank=True)
    description = models.TextField("发现的问题")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    kind = models.CharField("问题类型", max_length=10, choices=FindingKind.choices, default=FindingKind.INDIVIDUAL)
    found_on = models.DateField("发现日期")
    campaign = models.ForeignKey(SpecialCampaign, models.SET_NULL, null=True, blank=True, related_name="findings", verbose_name="专项整治")

    has_attachments = True
    scope_write_roles = holders("creation.inspect")  # the inspectors' finding and photos: the village reads them, never changes them

    class Meta:
        verbose_name = verbose_name_plural = "督导发现问题"
        ordering = ["-found_on", "-id"]

    def __str__(self):
        return f"{self.village.name}：{self.description[:30]}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("finding", args=[self.pk])


class RectificationPlan(Scoped):
    """The targeted rectification plan (整改提升方案) of an individual finding: the village's measures,
    a responsible person and a deadline; the village submits it, the town office verifies and
    closes it (销号) or sends it back."""

    finding = models.OneToOneField(Finding, models.PROTECT, related_name="plan", verbose_name="问题")
    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    measures = models.TextField("整改措施", blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任人")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="提交人")
    closed_on = models.DateField("销号日期", null=True, blank=True)

    has_attachments = True

    class Meta:
        verbose_name = verbose_name_plural = "整改方案"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.village.name}整改：{self.finding.description[:30]}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("rectification", args=[self.pk])

    @staticmethod
    def overdue_q(prefix=""):
        """The overdue rule as a query condition."""
        return Q(**{f"{prefix}status": PlanStatus.OPEN, f"{prefix}deadline__lt": today()})

    @property
    def overdue(self):
        return self.status == PlanStatus.OPEN and self.deadline < today()

    def locked_reason(self):
        """Evidence may change only while rectifying (整改中, which is also where a returned plan goes back to)."""
        if self.status != PlanStatus.OPEN:
            return f"该整改方案{self.get_status_display()}，佐证材料不能再修改；如需补充，请由镇平安办先退回重新整改。"
        return None


class Progress(Scoped):
    """A progress report (整改进展) on a rectification plan."""

    plan = models.ForeignKey(RectificationPlan, models.CASCADE, related_name="progress", verbose_name="整改方案")
    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    text = models.TextField("进展情况")

    class Meta:
        verbose_name = verbose_name_plural = "整改进展"
        ordering = ["id"]

    def __str__(self):
        return self.text[:30]


class Leadership(models.Model):
    """领导包村: a town leader assigned to a village (the plan's 镇领导包村 responsibility): named on the
    village's page and the town's, and the villages are in the leader's 我的待办."""

    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村", limit_choices_to={"level": "village"})
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="包村领导")
    position = models.CharField("职务", max_length=50)
    since = models.DateField("包村开始日期")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录入人")

    # Who covers which village is no secret in the town: every business reader of the village, its
    # town and county reads it (any field); only the town office arranges it.
    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = "writes_business"
    data_field = None
    scope_write_roles = holders("creation.assign_leaders")

    class Meta:
        verbose_name = verbose_name_plural = "领导包村"
        ordering = ["village__code", "id"]
        constraints = [models.UniqueConstraint(fields=["village", "leader"], name="leadership_unique")]

    def __str__(self):
        return f"{self.leader}（{self.position}）包{self.village.name}"


# -- the transition tables -------------------------------------------------------------------------

def _completer(task):
    if task.campaign_id is not None:
        return f"专项整治任务由牵头部门（{task.campaign.department.name}）或镇平安办记录完成，本村不能自行标记完成。"
    return "只有本村村干部、网格员或镇平安办可以完成创建任务。"


Flow(Application, [
    Transition("confirm", (ApplicationStatus.APPLIED,), ApplicationStatus.CONFIRMED, "creation.confirm_application", "确认为创建主体",
               title="确认创建申请", reason_max=200, not_by=("applied_by",), who="只有镇平安办可以确认创建申请。"),
    Transition("reject", (ApplicationStatus.APPLIED,), ApplicationStatus.REJECTED, "creation.confirm_application", "不予确认",
               title="不予确认创建申请", reason="不予确认时须说明理由。", reason_max=200, not_by=("applied_by",),
               who="只有镇平安办可以不予确认创建申请。"),
    Transition("reapply", (ApplicationStatus.REJECTED,), ApplicationStatus.APPLIED, "creation.apply", "重新申请创建",
               who="只有村干部或镇平安办可以申请创建。"),
])
Flow(Task, [
    Transition("complete", (TaskStatus.OPEN,), TaskStatus.DONE, "creation.complete_task", "标记完成", title="完成创建任务", who=_completer),
    Transition("reopen", (TaskStatus.DONE,), TaskStatus.OPEN, "creation.return_task", "退回", title="退回创建任务",
               reason="退回任务时须说明理由。", not_by=("completed_by",), who="只有镇平安办可以退回创建任务。"),
])
Flow(Inspection, [
    Transition("hold", (InspectionStatus.PLANNED,), InspectionStatus.HELD, "creation.inspect", "记录开展情况", title="开展督导检查",
               reason_max=2000, who="只有镇平安办可以开展督导检查。"),
], division="town")
Flow(RectificationPlan, [
    Transition("submit", (PlanStatus.OPEN,), PlanStatus.SUBMITTED, "creation.submit_rectification", "提交验收", title="提交整改验收",
               who="只有本村村干部、网格员或镇平安办可以提交整改验收。"),
    Transition("verify", (PlanStatus.SUBMITTED,), PlanStatus.CLOSED, "creation.verify_rectification", "验收销号",
               not_by=("submitted_by",), who="只有镇平安办可以验收整改。"),
    Transition("reopen", (PlanStatus.SUBMITTED,), PlanStatus.OPEN, "creation.verify_rectification", "退回重新整改",
               reason="退回整改时须说明理由。", not_by=("submitted_by",), who="只有镇平安办可以退回整改。"),
])
Flow(SpecialCampaign, [
    Transition("complete", (CampaignStatus.ACTIVE,), CampaignStatus.COMPLETED, "creation.run_campaign", "完成专项整治",
               who="只有镇平安办或牵头部门可以完成专项整治。"),
], division="town")

# What may still be edited: a task until it is completed, a rectification plan while it is being
# rectified (the states the finishing step starts from).
TASK_EDITABLE = Task.flow["complete"].source
PLAN_EDITABLE = RectificationPlan.flow["submit"].source

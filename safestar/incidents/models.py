from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from safestar.core.cells import clerk_words

from safestar.core.ledger import LedgerRecord
from safestar.core.transitions import Flow, Transition


class ZeroCategory(models.TextChoices):
    """Which of Shangqiu's 三零 a recognised incident of the kind breaks."""

    CASE = "case", "零案件"
    PETITION = "petition", "零信访"
    ACCIDENT = "accident", "零事故"


class IncidentKind(models.Model):
    """A kind of incident (刑事案件, 电信诈骗, ...): data, so a county can add its own."""

    code = models.SlugField("代码", max_length=40, unique=True, help_text="英文代码，创建方案的否决项按此引用")
    name = models.CharField("名称", max_length=40, unique=True)
    zero_category = models.CharField("影响“三零”", max_length=10, choices=ZeroCategory.choices, blank=True)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "案事件类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Severity(models.TextChoices):
    GENERAL = "general", "一般"
    SERIOUS = "serious", "较大"
    MAJOR = "major", "重大"


clerk_words(Severity, {
    Severity.GENERAL: ("一般案件", "一般事件"),
    Severity.SERIOUS: ("较大案件", "较大事件"),
    Severity.MAJOR: ("重大案件", "重大事件"),
})


class Incident(LedgerRecord):
    """An incident in a village. It counts for the veto and 三零 only once recognised (认定) by a
    county-level department, with who and when; a recognition can be withdrawn with a reason."""

    kind = models.ForeignKey(IncidentKind, models.PROTECT, related_name="incidents", verbose_name="类别")
    occurred_on = models.DateField("发生日期")
    title = models.CharField("事件名称", max_length=100)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    description = models.TextField("简要情况", blank=True)
    department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录入部门"
    )
    recognised = models.BooleanField("已认定", default=False, editable=False)
    recognised_at = models.DateTimeField("认定时间", null=True, blank=True, editable=False)
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name="认定人"
    )
    recognising_department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name="认定部门"
    )
    withdrawal_reason = models.CharField("撤销认定原因", max_length=200, blank=True, editable=False)

    data_field = "incidents"

    class Meta:
        verbose_name = verbose_name_plural = "案事件"
        indexes = [models.Index(fields=["division", "occurred_on"]), models.Index(fields=["recognised", "occurred_on"])]

    def __str__(self):
        return f"{self.occurred_on} {self.title}"

    def clean(self):
        # A kind that was switched off is not offered for new records; old records keep theirs.
        if self.kind_id and not self.kind.active:
            unchanged = self.pk is not None and Incident.objects.filter(pk=self.pk, kind_id=self.kind_id).exists()
            if not unchanged:
                raise ValidationError({"kind": f"类别“{self.kind}”已停用，请选择其他类别"})

    def locked_reason(self):
        if self.recognised:
            return "该案事件已认定，不能修改或删除；如认定有误，请由认定部门先撤销认定。"
        return None


# Recognising and withdrawing are the two steps of an incident (the field `recognised` is its state).
Flow(Incident, [
    Transition("recognise", (False,), True, "incidents.recognise", "认定", title="认定案事件",
               who="只有县级部门或县政法委评查员可以认定案事件",
               confirm="认定后该案事件计入一票否决和“三零”评定，记录锁定，不能再修改或删除（如有误须撤销认定）。"),
    Transition("withdraw", (True,), False, "incidents.withdraw", "撤销认定", reason="须说明撤销认定的原因", reason_label="撤销认定原因",
               reason_max=200, comment_as="withdrawal_reason", who="只有县级部门或县政法委评查员可以撤销认定",
               confirm="撤销后该案事件不再计入一票否决和“三零”评定。请说明原因，原因将记入修改历史和审计日志。"),
], field="recognised", division="division", labels={False: "否", True: "是"})

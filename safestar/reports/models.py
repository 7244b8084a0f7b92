"""Periodic work reports (工作汇报 / 信息报送): the town office (or the county) sets a requirement —
the period (月报, 季报, 半年报, 年报), the due day after each period and the ledgers whose counts the
report carries — and every village under it reports once per period: the counts of its ledger records
dated in the period (pre-filled, editable), a free text and attachments. The village submits; the
town office accepts it or returns it with a reason (the transition table `Flow` at the end).

Timeliness (按时 / 逾期 / 未报) is judged on the day of the *first* submission: a report returned and
submitted again keeps the day it first came in."""

import datetime

from django.conf import settings
from django.db import models

from safestar.core.scope import ScopedQuerySet
from safestar.core.transitions import Flow, Transition
from safestar.org.roles import DataField, holders


class Period(models.TextChoices):
    MONTHLY = "monthly", "月报"
    QUARTERLY = "quarterly", "季报"
    HALF_YEARLY = "half", "半年报"
    YEARLY = "yearly", "年报"


MONTHS = {Period.MONTHLY: 1, Period.QUARTERLY: 3, Period.HALF_YEARLY: 6, Period.YEARLY: 12}  # months in one period


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已采纳"


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", "按时"
    LATE = "late", "逾期"
    MISSING = "missing", "未报"
    PENDING = "pending", "待报"  # not submitted, not yet due


class Requirement(models.Model):
    """A reporting requirement (报送要求) set by a town office or the county for the villages under it."""

    issuer = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="下达单位")
    title = models.CharField("汇报名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    period = models.CharField("报送周期", max_length=10, choices=Period.choices)
    due_days = models.PositiveSmallIntegerField("报送期限（期满后天数）", default=5)
    ledgers = models.JSONField("统计的台账", default=list, blank=True)  # ledger slugs, counted per period
    instructions = models.TextField("汇报内容要求", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录入人")

    objects = ScopedQuerySet.as_manager()
    scope_path = "issuer__path"
    scope_read = "reads_business"
    scope_write = "reads_business"  # the county sets requirements too; only holders of reports.define write
    scope_write_roles = holders("reports.define")
    scope_include_ancestors = True  # a village reads the requirements of its town and county
    data_field = DataField.CREATION

    class Meta:
        verbose_name = verbose_name_plural = "工作汇报要求"
        ordering = ["-year", "-id"]

    def __str__(self):
        return f"{self.year}年{self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("report-requirement", args=[self.pk])

    @property
    def count(self):
        """How many periods the year has."""
        return 12 // MONTHS[self.period]

    def bounds(self, n):
        """(first day, last day, due day) of period `n` (1-based)."""
        months = MONTHS[self.period]
        first_month = (n - 1) * months + 1
        start = datetime.date(self.year, first_month, 1)
        last_month = first_month + months - 1
        after = datetime.date(self.year + 1, 1, 1) if last_month == 12 else datetime.date(self.year, last_month + 1, 1)
        end = after - datetime.timedelta(days=1)
        return start, end, end + datetime.timedelta(days=self.due_days)

    def period_label(self, n):
        if self.period == Period.MONTHLY:
            return f"{self.year}年{n}月"
        if self.period == Period.QUARTERLY:
            return f"{self.year}年第{'一二三四'[n - 1]}季度"
        if self.period == Period.HALF_YEARLY:
            return f"{self.year}年{'上下'[n - 1]}半年"
        return f"{self.year}年度"

    def periods(self):
        """[(n, label, start, end, due)] of the year."""
        return [(n, self.period_label(n), *self.bounds(n)) for n in range(1, self.count + 1)]


class Report(models.Model):
    """One village's report for one period of a requirement."""

    requirement = models.ForeignKey(Requirement, models.PROTECT, related_name="reports", verbose_name="汇报要求")
    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    number = models.PositiveSmallIntegerField("期次")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    counts = models.JSONField("台账统计", default=dict, blank=True)  # {ledger slug: number}
    text = models.TextField("工作情况", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录入人")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="修改人")
    first_submitted_on = models.DateField("首次报送日期", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="报送人")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审核人")
    reason = models.CharField("审核意见", max_length=500, blank=True)

    has_attachments = True
    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = "writes_business"
    scope_write_roles = holders("reports.write")  # the village's report: the town office reviews it, never edits it
    data_field = DataField.CREATION

    class Meta:
        verbose_name = verbose_name_plural = "工作汇报"
        ordering = ["requirement", "number", "village__code"]
        constraints = [models.UniqueConstraint(fields=["requirement", "village", "number"], name="one_report_per_village_and_period")]

    def __str__(self):
        return f"{self.village.name}{self.requirement.period_label(self.number)}{self.requirement.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("report", args=[self.pk])

    @property
    def due_on(self):
        return self.requirement.bounds(self.number)[2]

    @property
    def timeliness(self):
        return judge(self.first_submitted_on, self.due_on)

    def locked_reason(self):
        if self.status not in EDITABLE:
            return f"该汇报{self.get_status_display()}，内容和附件不能再修改；如需修改，请由镇平安办退回。"
        return None


def judge(submitted_on, due_on, day=None):
    """按时 / 逾期 / 未报 / 待报 of a report first submitted on `submitted_on` (None: not yet), due on `due_on`."""
    from safestar.clock import today

    if submitted_on is not None:
        return Timeliness.ON_TIME if submitted_on <= due_on else Timeliness.LATE
    return Timeliness.MISSING if (day or today()) > due_on else Timeliness.PENDING


Flow(Report, [
    Transition("submit", (ReportStatus.DRAFT, ReportStatus.RETURNED), ReportStatus.SUBMITTED, "reports.submit", "报送",
               title="报送工作汇报", who="只有本村村干部可以报送工作汇报。"),
    Transition("accept", (ReportStatus.SUBMITTED,), ReportStatus.ACCEPTED, "reports.review", "采纳",
               title="采纳工作汇报", not_by=("submitted_by",), who="只有镇平安办可以审核工作汇报。"),
    Transition("return", (ReportStatus.SUBMITTED,), ReportStatus.RETURNED, "reports.review", "退回",
               title="退回工作汇报", reason="退回时须说明理由。", not_by=("submitted_by",), who="只有镇平安办可以审核工作汇报。"),
])

EDITABLE = Report.flow["submit"].source

from django.db import models

from safestar.core.scope import ScopedQuerySet


class Snapshot(models.Model):
    """A village's live result by its scheme, as the engine gave it on the day the snapshot was
    taken (monthly, by the scheduled task dashboards.tasks.monthly_snapshot or `safestar snapshot`). The town dashboard's trend reads these rows: real
    history, never recomputed."""

    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    scheme = models.ForeignKey("schemes.Scheme", models.PROTECT, related_name="+", verbose_name="创建方案")
    year = models.PositiveSmallIntegerField("年度")
    month = models.DateField("月份", help_text="该月第一天")
    taken_on = models.DateField("快照日期")
    total = models.FloatField("得分")
    status = models.CharField("结果", max_length=10)
    band = models.CharField("档次", max_length=30, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = None  # written only by the system (dashboards.snapshots.take: the scheduled task, the command)

    class Meta:
        verbose_name = verbose_name_plural = "月度得分快照"
        ordering = ["month", "village__code"]
        constraints = [models.UniqueConstraint(fields=["village", "scheme", "month"], name="snapshot_unique")]

    def __str__(self):
        return f"{self.village.name} {self.month:%Y年%m月} {self.total:g}分"

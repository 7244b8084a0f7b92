import secrets

from django.conf import settings
from django.db import models

from safestar.core.scope import ScopedQuerySet

from .spec import Spec
from safestar.core.numbers import figure


class Scheme(models.Model):
    """One version of a creation scheme (创建方案): a star, a year, an issuing division. The content
    is the validated Spec as JSON. Once an evaluation has used a version it is frozen: loading the
    scheme again makes a new version and leaves the old one as it was."""

    issuer = models.ForeignKey("org.Division", models.PROTECT, related_name="schemes", verbose_name="发布单位")
    year = models.PositiveSmallIntegerField("年度")
    star = models.CharField("星级", max_length=30)
    version = models.PositiveSmallIntegerField("版本", default=1)
    name = models.CharField("方案名称", max_length=200)
    content = models.JSONField("方案内容")
    source = models.TextField("来源 YAML")
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="载入人"
    )
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Who may read a scheme: business readers in the issuer's subtree, and those below an issuer
    # (a village reads the scheme its town issued).
    scope_path = "issuer__path"
    scope_read = "reads_business"
    scope_write = None  # schemes are loaded by the operator command `safestar scheme load`
    scope_include_ancestors = True

    class Meta:
        verbose_name = verbose_name_plural = "创建方案"
        ordering = ["-year", "star", "issuer__code", "-version"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "star", "version"], name="scheme_version_unique")]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"

    @property
    def spec(self) -> Spec:
        if not hasattr(self, "_spec"):
            self._spec = Spec.from_json(self.content)
        return self._spec

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_spec", None)
        super().refresh_from_db(*args, **kwargs)

    def is_latest(self):
        return not Scheme.objects.filter(issuer=self.issuer_id, year=self.year, star=self.star, version__gt=self.version).exists()


class ManualScore(models.Model):
    """An evaluator's points for a manual indicator of a scheme, for one village, with the reason."""

    scheme = models.ForeignKey(Scheme, models.PROTECT, related_name="manual_scores", verbose_name="方案")
    village = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="村")
    indicator = models.CharField("指标编号", max_length=20)
    points = models.FloatField("得分")
    reason = models.TextField("评分理由", blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="评分人")
    scored_at = models.DateTimeField("评分时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__path"
    scope_read = "reads_business"
    scope_write = None  # written only through schemes.services.save_manual_score
    data_field = "evaluation"

    class Meta:
        verbose_name = verbose_name_plural = "人工评分"
        constraints = [models.UniqueConstraint(fields=["scheme", "village", "indicator"], name="manual_score_unique")]

    def __str__(self):
        return f"{self.indicator} {figure(self.points)}分"


def random_token():
    return secrets.randbits(62)


class ResultGeneration(models.Model):
    """One row: the generation of the data that evaluation results are computed from. Every SQL
    statement that writes a table the results may read bumps it in the writing transaction, before
    the write (cache.py installs the hook on every database connection); a cached result is used
    only while the generation it was computed at is still the current one."""

    n = models.BigIntegerField("代数", default=0)
    # A new random number whenever a table the facts are gathered from is written (cache.py): the
    # facts gathered under one value are still the facts while it stands. Random, not counted, so that
    # a write rolled back and another one made after it never give the same value twice.
    facts = models.BigIntegerField("事实版本", default=random_token)

    class Meta:
        verbose_name = verbose_name_plural = "评分数据代数"


class VillageGeneration(models.Model):
    """The generation of one village's data: a write that cache.py can attribute to villages (written.py)
    bumps their rows instead of ResultGeneration.n, so the other villages' stored results stay valid.
    A plain number, not a foreign key: the hook writes it by raw SQL; no row yet means 0."""

    village = models.BigIntegerField("村", primary_key=True)
    n = models.BigIntegerField("代数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "村的评分数据代数"


class CachedResult(models.Model):
    """A village's live result by a scheme (variant 0) or by an evaluation round with its points
    (variant = the round's id), as JSON (cache.py: an exact inverse of the engine's result), valid
    for the data generation, the village's own generation and the day it was computed at."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="+", verbose_name="方案")
    variant = models.IntegerField("评查轮次", default=0)
    village = models.ForeignKey("org.Division", models.CASCADE, related_name="+", verbose_name="村")
    generation = models.BigIntegerField("数据代数")
    village_n = models.BigIntegerField("村的数据代数", default=0)  # VillageGeneration.n when computed
    day = models.DateField("计算日期")
    payload = models.JSONField("结果")
    # The indicator rows as JSON text, parsed only when somebody looks at them (a county's ranking
    # reads hundreds of results and shows none of their indicators).
    indicators = models.TextField("逐项结果", default="")

    class Meta:
        verbose_name = verbose_name_plural = "评分结果缓存"
        constraints = [models.UniqueConstraint(fields=["scheme", "variant", "village"], name="cached_result_unique")]

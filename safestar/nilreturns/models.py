"""零报告 (nil returns): a village's explicit, dated declaration that one of its registers had
nothing for a year ("本年度无矛盾纠纷"). An "absence" indicator of a scheme (无超期纠纷, 无信访积案 …)
is met only on evidence: records in the register for the year (core/metrics.py `kept`), or a nil
return. An empty register without one is 待定 ("台账未建立或未作零报告"), never met.

A nil return is a ledger record: the village cadre (or the town for its villages) files it through
the ledger pages or API, with who and when (录入人, 录入时间) and the audit of every change."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from safestar.core.ledger import LedgerRecord
from safestar.org.roles import DataField


class NilRegister(models.TextChoices):
    """The registers that may be empty for a village; the same names as core.metrics.REGISTERS."""

    DISPUTES = "disputes", "矛盾纠纷"
    PETITIONS = "petitions", "信访事项"
    HAZARDS = "hazards", "安全隐患"
    CONTROLLED_GOODS = "controlled_goods", "重点物品"
    RELIGIOUS_CLUES = "religious_clues", "涉宗教线索"
    KEY_PERSONS = "key_persons", "重点人员"


class NilReturn(LedgerRecord):
    subject = models.CharField("台账", max_length=20, choices=NilRegister.choices)
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000, "年度不合理"), MaxValueValidator(2100, "年度不合理")]
    )
    declared_on = models.DateField("报告日期", help_text="不能早于所报年度的1月1日")
    note = models.CharField("说明", max_length=200, blank=True, help_text="如“经排查，本年度本村无矛盾纠纷”")

    data_field = DataField.EVALUATION

    class Meta:
        verbose_name = verbose_name_plural = "零报告"
        indexes = [models.Index(fields=["subject", "year"])]

    def __str__(self):
        return f"{self.year}年度无{self.get_subject_display()}"

    def clean(self):
        errors = {}
        # (a year past datetime's range is the year field's error, 年度不合理, not a crash)
        if self.year and self.year <= datetime.MAXYEAR and self.declared_on and self.declared_on < datetime.date(self.year, 1, 1):
            errors["declared_on"] = f"报告日期 {self.declared_on:%Y-%m-%d} 早于所报年度 {self.year} 年，不能预先报告“本年度无”"
        if self.division_id and self.subject and self.year:
            twin = NilReturn.objects.alive().filter(division_id=self.division_id, subject=self.subject, year=self.year).exclude(pk=self.pk)
            if twin.exists():
                errors["subject"] = f"该村已有{self.year}年度“无{self.get_subject_display()}”的零报告"
        if errors:
            raise ValidationError(errors)

"""安全事故防范 ledgers: hazards and their rectification, hazard patrols, controlled goods
(pesticides, hazardous chemicals, explosives, controlled knives) and joint safety checks."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from safestar.core.cells import clerk_words
from django.db.models import Q

from safestar.core.ledger import LedgerQuerySet, LedgerRecord, ledger_manager


class HazardKind(models.TextChoices):
    POND = "pond", "坑塘"
    DRY_WELL = "dry_well", "枯井"
    BRIDGE = "bridge", "危桥"
    HOUSE = "house", "危房"
    ELECTRICITY = "electricity", "用电"
    FIRE = "fire", "消防"
    TRAFFIC = "traffic", "交通"
    OTHER = "other", "其他"


clerk_words(HazardKind, {
    HazardKind.POND: ("坑塘水域", "池塘", "水塘", "河塘", "沟渠", "水域"),
    HazardKind.DRY_WELL: ("机井", "废弃井", "废弃机井"),
    HazardKind.BRIDGE: ("危险桥梁", "桥梁"),
    HazardKind.HOUSE: ("危旧房屋", "危旧房", "房屋"),
    HazardKind.ELECTRICITY: ("电力", "线路老化", "私拉乱接", "电气线路", "电气"),
    HazardKind.FIRE: ("消防安全", "火灾隐患"),
    HazardKind.TRAFFIC: ("道路交通", "道路"),
    HazardKind.OTHER: ("其它",),
})


class RiskLevel(models.TextChoices):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"
    MAJOR = "major", "重大"


clerk_words(RiskLevel, {
    RiskLevel.LOW: ("低风险", "较低", "蓝色"),
    RiskLevel.MEDIUM: ("一般", "一般隐患", "一般风险", "中等", "黄色"),
    RiskLevel.HIGH: ("较大", "较大隐患", "较大风险", "高风险", "橙色"),
    RiskLevel.MAJOR: ("重大隐患", "重大风险", "红色"),
})


class RectificationStatus(models.TextChoices):
    PENDING = "pending", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    RECTIFIED = "rectified", "已整改"


clerk_words(RectificationStatus, {
    RectificationStatus.PENDING: ("未整改", "待改", "未完成", "否"),
    RectificationStatus.IN_PROGRESS: ("正在整改", "整改中"),
    RectificationStatus.RECTIFIED: ("已完成", "已销号", "完成", "整改完成", "是"),
})


class HazardQuerySet(LedgerQuerySet):
    def open_on(self, day):
        """Hazards found by `day` and not rectified by then (a later rectification still leaves them
        open on `day`; 已整改 without a date is treated as open)."""
        not_closed = ~Q(status=RectificationStatus.RECTIFIED) | Q(rectified_on__isnull=True) | Q(rectified_on__gt=day)
        return self.filter(not_closed, found_on__lte=day)

    def overdue_on(self, day):
        """Open on `day` with the rectification deadline as it stood on `day` already passed (a
        deadline extended later does not make a hazard overdue then timely, core/states.py)."""
        from safestar.core.states import as_of

        return as_of(self.open_on(day), day, "deadline").filter(asof_deadline__lt=day)


class Hazard(LedgerRecord):
    """A safety hazard in a village (a pond, a dry well, a dangerous bridge or house, wiring, ...)
    and its rectification: a deadline, a status and the day it was rectified. The closing photo is
    an attachment of the record."""

    kind = models.CharField("隐患类别", max_length=20, choices=HazardKind.choices)
    location = models.CharField("位置", max_length=100)
    description = models.TextField("隐患描述")
    risk_level = models.CharField("风险等级", max_length=10, choices=RiskLevel.choices)
    responsible = models.CharField("责任人", max_length=40)
    found_on = models.DateField("发现日期")
    deadline = models.DateField("整改期限")
    status = models.CharField(
        "整改状态", max_length=20, choices=RectificationStatus.choices, default=RectificationStatus.PENDING
    )
    rectified_on = models.DateField("整改完成日期", null=True, blank=True, help_text="状态为“已整改”时必填")

    objects = ledger_manager(HazardQuerySet)
    data_field = "safety"
    future_date_fields = ("deadline",)
    tracked_fields = ("deadline",)  # an extended deadline does not make a past year's overdue hazard timely

    class Meta:
        verbose_name = verbose_name_plural = "安全隐患"
        indexes = [models.Index(fields=["division", "found_on"])]

    def __str__(self):
        # Unique (it carries the number), so that imports can name the hazard of an inspection.
        number = f"，编号{self.pk}" if self.pk else ""
        return f"{self.location}{self.get_kind_display()}隐患（{self.found_on}发现{number}）"

    def clean(self):
        errors = {}
        rectified = self.status == RectificationStatus.RECTIFIED
        if rectified and not self.rectified_on:
            errors["rectified_on"] = "整改状态为“已整改”时，须填写整改完成日期"
        elif self.rectified_on and not rectified:
            errors["rectified_on"] = "尚未整改完成的隐患不填写整改完成日期；如已整改，请将整改状态改为“已整改”"
        elif self.rectified_on and self.found_on and self.rectified_on < self.found_on:
            errors["rectified_on"] = f"整改完成日期不能早于发现日期（{self.found_on}）"
        if self.deadline and self.found_on and self.deadline < self.found_on:
            errors["deadline"] = f"整改期限不能早于发现日期（{self.found_on}）"
        if errors:
            raise ValidationError(errors)

    def is_open(self, today):
        """Found by `today` and not rectified by then."""
        if self.found_on > today:
            return False
        closed = self.status == RectificationStatus.RECTIFIED and self.rectified_on is not None and self.rectified_on <= today
        return not closed

    def is_overdue(self, today):
        """Not rectified by `today` although the deadline lies before it (the same rule as the
        queryset's overdue_on and the metric safety.hazards_overdue)."""
        return self.is_open(today) and self.deadline < today


class HazardInspection(LedgerRecord):
    """One patrol of the village's hazard spots: who, when, where, what was found and done; it may
    follow up one registered hazard of the same village."""

    inspected_on = models.DateField("巡查日期")
    inspector = models.CharField("巡查人", max_length=60)
    hazard = models.ForeignKey(
        Hazard, models.PROTECT, null=True, blank=True, related_name="inspections", verbose_name="跟踪的隐患",
        help_text="可选：本次巡查跟踪的本村已登记隐患",
    )
    route = models.CharField("巡查范围（路线）", max_length=200)
    finding = models.TextField("巡查发现")
    action = models.TextField("处理措施", blank=True)

    data_field = "safety"

    class Meta:
        verbose_name = verbose_name_plural = "隐患巡查记录"
        indexes = [models.Index(fields=["division", "inspected_on"])]

    def __str__(self):
        return f"{self.inspected_on} {self.route}巡查"

    def clean(self):
        if self.hazard_id and self.division_id and self.hazard.division_id != self.division_id:
            raise ValidationError(
                {"hazard": f"所选隐患属于{self.hazard.division.name}，不是本村的隐患；只能跟踪本村登记的隐患"}
            )


class GoodsCategory(models.TextChoices):
    PESTICIDE = "pesticide", "农药"
    CHEMICAL = "chemical", "危险化学品"
    EXPLOSIVE = "explosive", "民爆物品"
    KNIFE = "knife", "管制器具"


clerk_words(GoodsCategory, {
    GoodsCategory.PESTICIDE: ("农药类", "剧毒农药"),
    GoodsCategory.CHEMICAL: ("危化品", "危险化学品类"),
    GoodsCategory.EXPLOSIVE: ("民爆", "烟花爆竹"),
    GoodsCategory.KNIFE: ("管制刀具",),
})


class CheckResult(models.TextChoices):
    PASSED = "passed", "合格"
    TO_FIX = "to_fix", "需整改"


clerk_words(CheckResult, {
    CheckResult.PASSED: ("检查合格", "正常", "无问题"),
    CheckResult.TO_FIX: ("不合格", "限期整改", "整改"),
})


class ControlledGoods(LedgerRecord):
    """Goods under control held in the village (a farm shop's pesticides, gas cylinders, ...): who
    holds what, how much, where it is stored, and the last check."""

    category = models.CharField("物品类别", max_length=20, choices=GoodsCategory.choices)
    holder = models.CharField("持有人（单位）", max_length=100)
    item = models.CharField("物品名称", max_length=100)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2, validators=[MinValueValidator(0, "数量不能小于 0")])
    unit = models.CharField("计量单位", max_length=10)
    storage = models.CharField("存放地点及方式", max_length=200)
    checked_on = models.DateField("最近检查日期")
    result = models.CharField("检查结果", max_length=10, choices=CheckResult.choices, default=CheckResult.PASSED)

    data_field = "safety"
    tracked_fields = ("checked_on", "result")  # each new check replaces the last: earlier years keep theirs

    class Meta:
        verbose_name = verbose_name_plural = "重点物品"
        indexes = [models.Index(fields=["division", "checked_on"])]

    def __str__(self):
        return f"{self.holder}：{self.item}"


class CheckArea(models.TextChoices):
    PRODUCTION = "production", "生产安全"
    ECOLOGY = "ecology", "生态环境"
    FOOD_DRUG = "food_drug", "食品药品"
    ROAD_TRAFFIC = "road_traffic", "道路交通"
    FIRE = "fire", "消防"


clerk_words(CheckArea, {
    CheckArea.PRODUCTION: ("安全生产",),
    CheckArea.ECOLOGY: ("环保", "环境"),
    CheckArea.FOOD_DRUG: ("食品安全", "食品", "药品"),
    CheckArea.ROAD_TRAFFIC: ("交通", "交通安全", "道路"),
    CheckArea.FIRE: ("消防安全",),
})


class SafetyCheck(LedgerRecord):
    """A joint safety check in the village by several departments: the field, who took part, what
    was found, how many problems and how many of them were rectified."""

    checked_on = models.DateField("检查日期")
    area = models.CharField("检查领域", max_length=20, choices=CheckArea.choices)
    departments = models.CharField("参加部门", max_length=200)
    findings = models.TextField("检查情况")
    problems_found = models.PositiveIntegerField("发现问题数", default=0)
    problems_rectified = models.PositiveIntegerField("已整改问题数", default=0)

    data_field = "safety"

    class Meta:
        verbose_name = verbose_name_plural = "联合安全检查"
        indexes = [models.Index(fields=["division", "checked_on"])]

    def __str__(self):
        return f"{self.checked_on} {self.get_area_display()}联合检查"

    def clean(self):
        found, rectified = self.problems_found, self.problems_rectified
        if found is not None and rectified is not None and rectified > found:
            raise ValidationError({"problems_rectified": f"已整改问题数（{rectified}）不能大于发现问题数（{found}）"})

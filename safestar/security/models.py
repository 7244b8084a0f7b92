"""治安防控 (public-security prevention) ledgers, category 1 of the creation plan (治安防控严密有效):
the village's prevention set-up (一村一警, patrol team, guards, 守望互助), its technical defences
(cameras, alarms, barriers), its patrols and the clues it reports (黄赌毒, crimes against women and
children, 涉黑涉恶, 村霸)."""

import decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from safestar.core.cells import clerk_words
from django.db.models import Q

from safestar.core.crypto import PhoneField
from safestar.core.ledger import LedgerRecord
from safestar.core.masking import mask_phone

ONE_PROFILE_PER_VILLAGE = "该村已有治安防控概况记录（每村一条），请在原记录上修改，不要重复新增。"


class SecurityProfile(LedgerRecord):
    """A village's prevention set-up: one alive record per village, updated in place."""

    police_officer = models.CharField("一村一警民警", max_length=30, blank=True, help_text="驻村（包村）民警姓名")
    police_phone = PhoneField("民警联系电话", blank=True)
    patrol_team = models.CharField("巡逻队名称", max_length=60, blank=True)
    full_time_members = models.PositiveSmallIntegerField("专职队员人数", default=0)
    part_time_members = models.PositiveSmallIntegerField("兼职队员人数", default=0)
    patrol_members = models.TextField("巡逻队员名单", blank=True, help_text="每行一人，或用顿号分隔")
    key_site_guards = models.PositiveSmallIntegerField("重点部位专职保卫人员数", default=0)
    mutual_watch_shops = models.PositiveSmallIntegerField("守望互助商铺数", default=0)
    entry_registration = models.BooleanField("落实出入登记", default=False)
    # Required: the profile counts from this day, with each later change from the day it took effect.
    established_on = models.DateField("建立日期", null=True, help_text="本概况所述防控安排开始运行的日期；不详时填写已知的最早日期")
    updated_on = models.DateField("信息更新日期")

    data_field = "security"
    audit_masked = {"police_phone": mask_phone}  # personal data appears masked in the audit log
    tracked_fields = ("police_officer", "full_time_members", "part_time_members", "mutual_watch_shops")  # core/states.py

    class Meta:
        verbose_name = verbose_name_plural = "村治安防控概况"
        constraints = [
            models.UniqueConstraint(
                fields=["division"],
                condition=Q(deleted_at__isnull=True),
                name="security_one_alive_profile_per_village",
                # code "unique" on a one-field constraint puts the message on the 村 field of the form
                violation_error_code="unique",
                violation_error_message=ONE_PROFILE_PER_VILLAGE,
            )
        ]

    def __str__(self):
        return f"{self.division.name}治安防控概况" if self.division_id else "村治安防控概况"

    @property
    def patrol_team_size(self):
        return self.full_time_members + self.part_time_members

    def clean(self):
        if self.police_phone and not self.police_officer.strip():
            raise ValidationError({"police_officer": "填写了民警联系电话，请同时填写一村一警民警姓名"})

    def validate_constraints(self, exclude=None):
        # The form excludes deleted_at (not editable), which would make Django skip the conditional
        # constraint altogether; it is checked whenever the village itself is being validated.
        if exclude and "division" not in exclude:
            exclude = set(exclude) - {"deleted_at"}
        super().validate_constraints(exclude=exclude)


class FacilityKind(models.TextChoices):
    CAMERA = "camera", "视频监控"
    ALARM = "alarm", "报警器"
    BARRIER = "barrier", "硬质隔离"
    OTHER = "other", "其他"


clerk_words(FacilityKind, {
    FacilityKind.CAMERA: ("监控", "摄像头", "监控探头", "视频监控探头", "球机", "枪机", "高清监控"),
    FacilityKind.ALARM: ("报警装置", "一键报警", "紧急报警"),
    FacilityKind.BARRIER: ("隔离桩", "防撞墩", "路障"),
    FacilityKind.OTHER: ("其它",),
})


class Camera(LedgerRecord):
    """A technical defence (技防设施) at a village entrance or crowded place. Channels (路数) count
    for video surveillance only; the plan asks for at least 6 working channels per village."""

    location = models.CharField("安装位置", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=FacilityKind.choices, default=FacilityKind.CAMERA)
    channels = models.PositiveSmallIntegerField(
        "路数", null=True, blank=True, validators=[MinValueValidator(1, "路数至少为 1")], help_text="视频监控必填"
    )
    networked = models.BooleanField("已与公安联网", default=False)
    working = models.BooleanField("在用", default=True)
    # Required: a facility counts from the day it was installed (null only in rows written by bulk tools: not counted).
    installed_on = models.DateField("安装日期", null=True, help_text="不详时填写已知在用的最早日期")

    data_field = "security"
    tracked_fields = ("working", "networked")  # 停用、拆除、联网：改“在用”“已与公安联网”并填写变更生效日期

    class Meta:
        verbose_name = verbose_name_plural = "技防设施"
        indexes = [models.Index(fields=["division", "kind"])]

    def __str__(self):
        return f"{self.location}（{self.get_kind_display()}）"

    def clean(self):
        if self.kind == FacilityKind.CAMERA and self.channels is None:
            raise ValidationError({"channels": "视频监控须填写路数（至少 1 路）"})


class Patrol(LedgerRecord):
    """One patrol (巡逻) in a village."""

    patrolled_on = models.DateField("巡逻日期")
    members = models.CharField("巡逻人员", max_length=200)
    route = models.CharField("巡逻路线", max_length=200)
    hours = models.DecimalField(
        "巡逻时长（小时）", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(decimal.Decimal("0.5"), "巡逻时长至少 0.5 小时")],
    )
    findings = models.TextField("发现情况", blank=True)
    handled = models.TextField("处置情况", blank=True)

    data_field = "security"

    class Meta:
        verbose_name = verbose_name_plural = "巡逻记录"
        indexes = [models.Index(fields=["division", "patrolled_on"])]

    def __str__(self):
        return f"{self.patrolled_on:%Y-%m-%d} {self.route}"


class ClueCategory(models.TextChoices):
    DRUGS_GAMBLING_VICE = "vice", "黄赌毒"
    WOMEN_CHILDREN = "women_children", "侵害妇女儿童"
    GANGS = "gangs", "涉黑涉恶"
    VILLAGE_BULLY = "village_bully", "村霸"
    OTHER = "other", "其他"


clerk_words(ClueCategory, {
    ClueCategory.DRUGS_GAMBLING_VICE: ("黄赌毒线索", "涉黄", "涉赌", "涉毒", "赌博", "吸毒"),
    ClueCategory.WOMEN_CHILDREN: ("侵害妇女儿童权益",),
    ClueCategory.GANGS: ("涉黑", "涉恶", "黑恶势力"),
    ClueCategory.VILLAGE_BULLY: ("村霸线索",),
})


class ClueStatus(models.TextChoices):
    REPORTED = "reported", "已上报"
    HANDLING = "handling", "处理中"
    CLOSED = "closed", "已办结"


clerk_words(ClueStatus, {
    ClueStatus.REPORTED: ("已报", "已报告"),
    ClueStatus.HANDLING: ("办理中", "正在处理"),
    ClueStatus.CLOSED: ("办结", "已处理", "已结案"),
})


class Clue(LedgerRecord):
    """A clue (线索) reported by the village: what, to whom, and how it was handled."""

    reported_on = models.DateField("上报日期")
    category = models.CharField("线索类别", max_length=20, choices=ClueCategory.choices)
    content = models.TextField("线索内容")
    reported_to = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="接报部门"
    )
    status = models.CharField("办理状态", max_length=10, choices=ClueStatus.choices, default=ClueStatus.REPORTED)
    result = models.TextField("办理结果", blank=True)

    data_field = "security"

    class Meta:
        verbose_name = verbose_name_plural = "线索上报"
        indexes = [models.Index(fields=["division", "reported_on"])]

    def __str__(self):
        return f"{self.reported_on:%Y-%m-%d} {self.get_category_display()}线索"

    def clean(self):
        if self.status == ClueStatus.CLOSED and not self.result.strip():
            raise ValidationError({"result": "已办结的线索须填写办理结果"})

"""应急 (emergency capacity) ledgers, category 6 of the creation plan (应急能力显著提升): the
village's emergency team (at least 20 people, party members as its backbone), its shelters, its
basic supplies (small generator, strong flashlights, fire extinguishers, ...), its plans (防汛救灾,
紧急避险, ...; the plan document is an attachment), its micro fire stations and its drills (at
least one a year; the photos are attachments)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from safestar.core.cells import clerk_words

from safestar.core.crypto import PhoneField
from safestar.core.ledger import LedgerRecord
from safestar.core.masking import mask_phone


# ── 应急队伍队员 ─────────────────────────────────────────────────────────────────────────────


class TeamRole(models.TextChoices):
    CAPTAIN = "captain", "队长"
    DEPUTY = "deputy", "副队长"
    MEMBER = "member", "队员"


clerk_words(TeamRole, {
    TeamRole.CAPTAIN: ("应急队长",),
    TeamRole.DEPUTY: ("副队",),
    TeamRole.MEMBER: ("队员（成员）", "成员"),
})


ONE_CAPTAIN = "本村应急队伍已有一名在队的队长，请先将原队长改为其他职务或离队，再录入新队长。"


class EmergencyMember(LedgerRecord):
    """A member of the village's emergency team (应急队伍): the plan wants at least 20 people with
    party members as the backbone. A member who left is kept with 在队 unticked."""

    name = models.CharField("姓名", max_length=40)
    party_member = models.BooleanField("中共党员", default=False)
    role = models.CharField("队内职务", max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    skills = models.TextField("专业技能", blank=True, help_text="如：电工、驾驶、医疗救护、水上救援")
    phone = PhoneField("联系电话")
    joined_on = models.DateField("入队日期", null=True, help_text="不详时填写已知在队的最早日期")
    active = models.BooleanField("在队", default=True, help_text="离队时取消勾选，并填写变更生效日期（离队日期）")

    data_field = "emergency"
    tracked_fields = ("active", "party_member")  # core/states.py
    audit_masked = {"phone": mask_phone}  # personal data appears masked in the audit log

    class Meta:
        verbose_name = verbose_name_plural = "应急队伍队员"
        indexes = [models.Index(fields=["division", "active"])]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"

    def clean(self):
        # One active captain per village; deputies may be several.
        if self.role == TeamRole.CAPTAIN and self.active and self.division_id:
            others = EmergencyMember.objects.alive().filter(division_id=self.division_id, role=TeamRole.CAPTAIN, active=True)
            if others.exclude(pk=self.pk).exists():
                raise ValidationError({"role": ONE_CAPTAIN})


# ── 应急避难场所 ─────────────────────────────────────────────────────────────────────────────


class Shelter(LedgerRecord):
    """An emergency shelter (应急避难场所): a school yard, a square, the village committee's hall."""

    name = models.CharField("场所名称", max_length=60)
    location = models.CharField("位置", max_length=100)
    capacity = models.PositiveIntegerField("可容纳人数", validators=[MinValueValidator(1, "可容纳人数应大于 0")])
    area = models.PositiveIntegerField(
        "面积（平方米）", null=True, blank=True, validators=[MinValueValidator(1, "面积应大于 0 平方米")]
    )
    facilities = models.TextField("配套设施", blank=True, help_text="如：应急供水、照明、厕所、标识标牌、物资储备点")
    opened_on = models.DateField("启用日期", null=True, help_text="不详时填写已知在用的最早日期")
    active = models.BooleanField("在用", default=True, help_text="停用时取消勾选，并填写变更生效日期（停用日期）")

    data_field = "emergency"
    tracked_fields = ("active", "capacity")  # core/states.py

    class Meta:
        verbose_name = verbose_name_plural = "应急避难场所"

    def __str__(self):
        return f"{self.name}（可容纳 {self.capacity} 人）"


# ── 应急物资 ─────────────────────────────────────────────────────────────────────────────────


class SupplyItem(models.TextChoices):
    GENERATOR = "generator", "小型发电机"
    FLASHLIGHT = "flashlight", "强光手电筒"
    EXTINGUISHER = "extinguisher", "灭火器"
    LIFE_JACKET = "life_jacket", "救生衣"
    SANDBAG = "sandbag", "沙袋"
    TENT = "tent", "帐篷"
    FIRST_AID = "first_aid", "急救包"
    OTHER = "other", "其他"


clerk_words(SupplyItem, {
    SupplyItem.GENERATOR: ("发电机", "汽油发电机", "柴油发电机"),
    SupplyItem.FLASHLIGHT: ("手电筒", "强光手电"),
    SupplyItem.EXTINGUISHER: ("干粉灭火器", "灭火器材"),
    SupplyItem.LIFE_JACKET: ("救生衣",),
    SupplyItem.SANDBAG: ("编织袋", "麻袋"),
    SupplyItem.TENT: ("救灾帐篷",),
    SupplyItem.FIRST_AID: ("急救箱", "医药箱"),
})


# The usual unit of each item, filled in when the unit is left blank.
DEFAULT_UNITS = {
    SupplyItem.GENERATOR: "台",
    SupplyItem.FLASHLIGHT: "个",
    SupplyItem.EXTINGUISHER: "具",
    SupplyItem.LIFE_JACKET: "件",
    SupplyItem.SANDBAG: "袋",
    SupplyItem.TENT: "顶",
    SupplyItem.FIRST_AID: "个",
}


class SupplyCondition(models.TextChoices):
    GOOD = "good", "完好"
    REPAIR = "repair", "需维修"
    SCRAPPED = "scrapped", "已报废"


clerk_words(SupplyCondition, {
    SupplyCondition.GOOD: ("良好", "正常", "可用"),
    SupplyCondition.REPAIR: ("维修", "待维修", "损坏"),
    SupplyCondition.SCRAPPED: ("报废", "过期"),
})


class EmergencySupply(LedgerRecord):
    """A stock of one emergency supply at one place, with its last check (检查) and condition. Items
    in different conditions are separate records (e.g. 8 extinguishers 完好, 2 需维修)."""

    item = models.CharField("物资类别", max_length=20, choices=SupplyItem.choices)
    spec = models.CharField("名称及规格", max_length=100, blank=True, help_text="如：3kW 汽油发电机、4kg 干粉灭火器；类别为“其他”时必填")
    quantity = models.PositiveIntegerField("数量", validators=[MinValueValidator(0, "数量不能小于 0")])
    unit = models.CharField("单位", max_length=10, blank=True, help_text="留空时按类别填写（台、个、具、件、袋、顶）")
    storage_location = models.CharField("存放地点", max_length=100)
    acquired_on = models.DateField("配备日期", null=True, help_text="这批物资配备到位的日期；不详时填写已知在库的最早日期")
    checked_on = models.DateField("检查日期")
    condition = models.CharField("状况", max_length=10, choices=SupplyCondition.choices, default=SupplyCondition.GOOD)

    data_field = "emergency"
    tracked_fields = ("quantity", "condition")  # core/states.py

    class Meta:
        verbose_name = verbose_name_plural = "应急物资"
        indexes = [models.Index(fields=["division", "item"])]

    def __str__(self):
        name = self.spec or self.get_item_display()
        return f"{name} {self.quantity}{self.unit}"

    def clean(self):
        if self.item == SupplyItem.OTHER and not self.spec.strip():
            raise ValidationError({"spec": "物资类别为“其他”时，请填写物资名称及规格"})
        if not self.unit.strip():
            if self.item not in DEFAULT_UNITS:
                raise ValidationError({"unit": "请填写单位"})
            self.unit = DEFAULT_UNITS[self.item]


# ── 应急预案 ─────────────────────────────────────────────────────────────────────────────────


class PlanKind(models.TextChoices):
    FLOOD = "flood", "防汛救灾"
    EVACUATION = "evacuation", "紧急避险"
    FIRE = "fire", "消防"
    PRODUCTION = "production", "安全生产"
    GEOLOGICAL = "geological", "地质灾害"
    OTHER = "other", "其他"


clerk_words(PlanKind, {
    PlanKind.FLOOD: ("防汛", "防汛抗旱"),
    PlanKind.EVACUATION: ("避险",),
    PlanKind.FIRE: ("消防应急",),
    PlanKind.PRODUCTION: ("生产安全",),
    PlanKind.GEOLOGICAL: ("地灾",),
})


class EmergencyPlan(LedgerRecord):
    """An emergency plan (应急预案) of the village. The plan document itself is uploaded as an
    attachment of the record."""

    kind = models.CharField("预案类别", max_length=12, choices=PlanKind.choices)
    title = models.CharField("预案名称", max_length=100)
    approved_on = models.DateField("审批日期")
    approved_by = models.CharField("审批单位", max_length=60, help_text="如：村民委员会、镇应急管理办公室")
    next_revision_on = models.DateField("下次修订日期", null=True, blank=True)

    data_field = "emergency"
    future_date_fields = ("next_revision_on",)
    planned_date_fields = ("next_revision_on",)  # plans are revised every few years
    tracked_fields = ("approved_on",)  # a revision re-approves the plan; earlier years keep the first approval

    class Meta:
        verbose_name = verbose_name_plural = "应急预案"
        indexes = [models.Index(fields=["division", "approved_on"])]

    def __str__(self):
        return self.title

    def clean(self):
        if self.next_revision_on and self.approved_on and self.next_revision_on <= self.approved_on:
            raise ValidationError({"next_revision_on": "下次修订日期应晚于审批日期"})


# ── 微型消防站（点） ─────────────────────────────────────────────────────────────────────────


class FireStation(LedgerRecord):
    """A micro fire station or fire point (微型消防站（点）) run by the village."""

    name = models.CharField("名称", max_length=60)
    established_on = models.DateField("建站日期")
    location = models.CharField("位置", max_length=100)
    members = models.PositiveSmallIntegerField("队员人数", default=0, validators=[MinValueValidator(0, "队员人数不能小于 0")])
    equipment = models.TextField("器材装备", blank=True, help_text="如：手抬机动泵、水带、水枪、灭火器、消防服")
    on_duty_24h = models.BooleanField("24小时值守", default=False)

    data_field = "emergency"

    class Meta:
        verbose_name = verbose_name_plural = "微型消防站（点）"

    def __str__(self):
        return self.name


# ── 应急演练 ─────────────────────────────────────────────────────────────────────────────────


class DrillScenario(models.TextChoices):
    NATURAL_DISASTER = "natural_disaster", "自然灾害"
    PRODUCTION = "production", "安全生产"
    FIRE = "fire", "消防"
    DROWNING = "drowning", "防溺水"
    OTHER = "other", "其他"


clerk_words(DrillScenario, {
    DrillScenario.NATURAL_DISASTER: ("防汛", "地震", "防汛演练"),
    DrillScenario.PRODUCTION: ("生产安全",),
    DrillScenario.FIRE: ("消防演练", "灭火"),
    DrillScenario.DROWNING: ("溺水", "防溺水演练"),
})


class Drill(LedgerRecord):
    """An emergency drill (应急演练): at least one a year. Photos are attachments of the record."""

    held_on = models.DateField("演练日期")
    scenario = models.CharField("演练类别", max_length=20, choices=DrillScenario.choices)
    title = models.CharField("演练名称", max_length=100)
    participants = models.PositiveIntegerField("参加人数", validators=[MinValueValidator(1, "参加人数应大于 0")])
    description = models.TextField("演练情况", blank=True)

    data_field = "emergency"

    class Meta:
        verbose_name = verbose_name_plural = "应急演练"
        indexes = [models.Index(fields=["division", "held_on"])]

    def __str__(self):
        return f"{self.held_on} {self.title}"

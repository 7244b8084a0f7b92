"""宗教 (religious affairs) ledgers, category 5 of the creation plan (非法宗教监管有力): the village knows
its religious venues (宗教活动场所, registered or not, with the cadres' last visit), and records the
religious activities it learns of, the clues it reports upward (非法宗教活动、邪教、宗教干涉村务) and
its care visits to believers (关爱走访信教群众).

Not here: the publicity against illegal religion and cults (the publicity ledger, topic 反邪教) and
the incidents of a year (illegal_religion, religious_interference in the incident ledger).

The phone of a venue's person in charge is personal data: stored encrypted and masked in the audit
log, as the accounts' phones are.
"""

from django.core.exceptions import ValidationError
from django.db import models

from safestar.core.cells import clerk_words

from safestar.core.crypto import PhoneField
from safestar.core.ledger import LedgerRecord
from safestar.core.masking import mask_phone


# ── 宗教活动场所 ─────────────────────────────────────────────────────────────────────────────


class Religion(models.TextChoices):
    BUDDHISM = "buddhism", "佛教"
    TAOISM = "taoism", "道教"
    ISLAM = "islam", "伊斯兰教"
    CATHOLICISM = "catholicism", "天主教"
    CHRISTIANITY = "christianity", "基督教"
    FOLK = "folk", "民间信仰"
    OTHER = "other", "其他"


clerk_words(Religion, {
    Religion.BUDDHISM: ("佛", "佛教寺庙"),
    Religion.TAOISM: ("道",),
    Religion.ISLAM: ("伊斯兰",),
    Religion.CATHOLICISM: ("天主",),
    Religion.CHRISTIANITY: ("基督", "基督新教", "耶稣教"),
    Religion.FOLK: ("民间信仰场所", "土地庙", "民俗"),
})


class VenueStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    WATCH = "watch", "需关注"
    BANNED = "banned", "已取缔"


clerk_words(VenueStatus, {
    VenueStatus.NORMAL: ("正常活动", "正常开放"),
    VenueStatus.WATCH: ("关注", "重点关注"),
    VenueStatus.BANNED: ("取缔", "已关停"),
})


class ReligiousVenue(LedgerRecord):
    """A place of religious activity in the village (a temple, a church, a meeting point, a folk
    shrine), registered according to law or not, with the cadres' last visit."""

    name = models.CharField("场所名称", max_length=100)
    religion = models.CharField("宗教类别", max_length=12, choices=Religion.choices)
    registered = models.BooleanField("依法登记", default=False)
    registration_number = models.CharField("登记证号", max_length=50, blank=True, help_text="依法登记的场所必填")
    person_in_charge = models.CharField("负责人（管理人）", max_length=40)
    phone = PhoneField("联系电话")
    address = models.CharField("地址", max_length=200)
    regular_attendees = models.PositiveIntegerField("经常参加活动人数", default=0)
    known_since = models.DateField("掌握日期", null=True, help_text="村里掌握该场所的日期（场所设立或开始活动的日期，不详时填写最早知道的日期）")
    last_visited_on = models.DateField("村干部最近走访日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=VenueStatus.choices, default=VenueStatus.NORMAL)

    data_field = "religion"
    audit_masked = {"phone": mask_phone}
    tracked_fields = ("status", "registered", "last_visited_on")  # core/states.py

    class Meta:
        verbose_name = verbose_name_plural = "宗教活动场所"
        indexes = [models.Index(fields=["division", "status"])]

    def __str__(self):
        # Named with its village: a 土地庙 or a 聚会点 is found in many villages, and the activity
        # ledger's import picks a venue by this name.
        return f"{self.name}（{self.division.name}）" if self.division_id else self.name

    def clean(self):
        super().clean()
        number = self.registration_number.strip()
        self.registration_number = number
        if self.registered and not number:
            raise ValidationError({"registration_number": "依法登记的场所必须填写登记证号"})
        if not self.registered and number:
            raise ValidationError({"registration_number": "未依法登记的场所不应填写登记证号；如已登记，请勾选“依法登记”"})


# ── 宗教活动与线索 ───────────────────────────────────────────────────────────────────────────


class ActivityKind(models.TextChoices):
    NORMAL = "normal", "正常宗教活动"
    ILLEGAL_CLUE = "illegal_clue", "非法宗教活动线索"
    CULT_CLUE = "cult_clue", "邪教线索"
    INTERFERENCE_CLUE = "interference_clue", "宗教干涉村务线索"
    CARE_VISIT = "care_visit", "关爱走访信教群众"


CLUE_KINDS = (ActivityKind.ILLEGAL_CLUE, ActivityKind.CULT_CLUE, ActivityKind.INTERFERENCE_CLUE)


class HandlingStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    REPORTED = "reported", "已上报"
    HANDLING = "handling", "处理中"
    CLOSED = "closed", "已办结"


clerk_words(HandlingStatus, {
    HandlingStatus.REGISTERED: ("登记",),
    HandlingStatus.REPORTED: ("上报",),
    HandlingStatus.HANDLING: ("办理中", "正在处理"),
    HandlingStatus.CLOSED: ("办结", "已处理"),
})


class ReligiousActivity(LedgerRecord):
    """A religious activity the village learned of, a clue it reported upward (非法宗教活动、邪教、
    宗教干涉村务), or a care visit to believers; with to whom a clue went and how it was handled."""

    held_on = models.DateField("日期")
    venue = models.ForeignKey(
        ReligiousVenue, models.PROTECT, null=True, blank=True, related_name="activities", verbose_name="宗教活动场所",
        help_text="须为本村的场所；不在登记场所内的活动可不填",
    )
    kind = models.CharField("类别", max_length=20, choices=ActivityKind.choices)
    content = models.TextField("内容")
    participants = models.PositiveIntegerField("参加人数", null=True, blank=True)
    reported_to = models.CharField("上报单位", max_length=100, blank=True, help_text="线索必填，如“长岗派出所”“睢县民族宗教事务局”")
    status = models.CharField("办理状态", max_length=10, choices=HandlingStatus.choices, default=HandlingStatus.REGISTERED)
    closed_on = models.DateField("办结日期", null=True, blank=True, help_text="已办结时必填")
    result = models.TextField("处理结果", blank=True)

    data_field = "religion"

    class Meta:
        verbose_name = verbose_name_plural = "宗教活动与线索"
        indexes = [models.Index(fields=["division", "held_on"]), models.Index(fields=["kind", "held_on"])]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}"

    @property
    def is_clue(self):
        return self.kind in CLUE_KINDS

    def clean(self):
        super().clean()
        if self.venue_id and self.division_id and self.venue.division_id != self.division_id:
            raise ValidationError({"venue": f"所选场所“{self.venue.name}”不在本村，请选择本村的宗教活动场所"})
        self.reported_to = self.reported_to.strip()
        if self.is_clue and not self.reported_to:
            raise ValidationError({"reported_to": f"{self.get_kind_display()}必须填写上报单位"})
        if self.status == HandlingStatus.CLOSED and self.closed_on is None:
            raise ValidationError({"closed_on": "已办结时必须填写办结日期"})
        if self.status != HandlingStatus.CLOSED and self.closed_on is not None:
            raise ValidationError({"closed_on": "尚未办结，不应填写办结日期"})
        if self.closed_on is not None and self.held_on is not None and self.closed_on < self.held_on:
            raise ValidationError({"closed_on": "办结日期不能早于该记录的日期"})

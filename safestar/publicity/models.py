"""The publicity ledger (宣传台账): each legal-publicity activity a village holds, its topic, the
channel it went through (online or offline), the people it reached and what it achieved (anti-fraud
app installs promoted, materials handed out)."""

from django.core.exceptions import ValidationError
from django.db import models

from safestar.core.cells import clerk_words

from safestar.core.ledger import LedgerRecord


class Topic(models.TextChoices):
    LAW = "law", "普法"
    CASE_EXPLAINED = "case_explained", "以案释法"  # e.g. civil disputes that turned into criminal cases
    ANTI_FRAUD = "anti_fraud", "反电诈"
    ILLEGAL_FUNDRAISING = "illegal_fundraising", "防范非法集资"
    ONLINE_GAMBLING = "online_gambling", "网络赌博"
    PYRAMID_SELLING = "pyramid_selling", "传销"
    ANTI_CULT = "anti_cult", "反邪教"
    ATHEISM = "atheism", "无神论"
    SAFETY = "safety", "安全教育"
    OTHER = "other", "其他"


clerk_words(Topic, {
    Topic.LAW: ("普法宣传", "法治宣传", "宪法宣传", "民法典", "民法典宣传"),
    Topic.CASE_EXPLAINED: ("以案说法", "以案释法宣传"),
    Topic.ANTI_FRAUD: ("反诈", "防诈骗", "反电信诈骗", "电信诈骗", "防范电信网络诈骗", "反电信网络诈骗", "反诈宣传"),
    Topic.ILLEGAL_FUNDRAISING: ("非法集资", "防非宣传", "打击非法集资", "防范非法集资宣传"),
    Topic.ONLINE_GAMBLING: ("网赌", "反赌", "防范网络赌博"),
    Topic.PYRAMID_SELLING: ("打击传销", "防范传销"),
    Topic.ANTI_CULT: ("反邪教宣传", "防范邪教"),
    Topic.ATHEISM: ("无神论宣传",),
    Topic.SAFETY: ("安全宣传", "防溺水", "消防安全", "安全生产"),
})


class Channel(models.TextChoices):
    TV = "tv", "电视"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"
    DOUYIN = "douyin", "抖音"
    LOUDSPEAKER = "loudspeaker", "广播（大喇叭）"
    SCREEN = "screen", "电子屏"
    BOARD = "board", "宣传栏"
    BUS_AD = "bus_ad", "公交车身广告"
    MEETING = "meeting", "会议讲座"
    DOOR_TO_DOOR = "door_to_door", "入户走访"
    OTHER = "other", "其他"


clerk_words(Channel, {
    Channel.TV: ("电视台",),
    Channel.SMS: ("短信提醒", "群发短信"),
    Channel.WECHAT: ("微信群", "公众号", "朋友圈"),
    Channel.DOUYIN: ("短视频",),
    Channel.LOUDSPEAKER: ("大喇叭", "广播", "村村响", "小喇叭"),
    Channel.SCREEN: ("LED屏", "电子显示屏", "显示屏"),
    Channel.BOARD: ("宣传展板", "展板", "墙体标语"),
    Channel.BUS_AD: ("公交车广告", "车身广告"),
    Channel.MEETING: ("讲座", "会议", "宣讲", "集中宣讲", "院坝会", "座谈会", "群众会"),
    Channel.DOOR_TO_DOOR: ("入户", "入户宣传", "走访宣传"),
})


# Online (线上) channels reach people through a screen or a phone; every other channel, 其他
# included, is offline (线下): on the spot in the village. The metrics split 反电诈 by this set.
# The sets hold plain string values, as stored in the database and used in `channel__in` lookups.
ONLINE_CHANNELS = frozenset(c.value for c in (Channel.TV, Channel.SMS, Channel.WECHAT, Channel.DOUYIN))
OFFLINE_CHANNELS = frozenset(c.value for c in Channel) - ONLINE_CHANNELS
# Where the people present are counted, so the number reached must be given.
HEADCOUNT_CHANNELS = frozenset(c.value for c in (Channel.MEETING, Channel.DOOR_TO_DOOR))

# The form groups the channels under 线上 / 线下.
CHANNEL_CHOICES = [
    ("线上", [(c.value, c.label) for c in Channel if c.value in ONLINE_CHANNELS]),
    ("线下", [(c.value, c.label) for c in Channel if c.value in OFFLINE_CHANNELS]),
]


class Activity(LedgerRecord):
    """One publicity activity (宣传活动) in a village."""

    held_on = models.DateField("活动日期")
    topic = models.CharField("宣传主题", max_length=24, choices=Topic.choices)
    channel = models.CharField("宣传方式", max_length=16, choices=CHANNEL_CHOICES)
    title = models.CharField("活动名称", max_length=100)
    audience = models.CharField("宣传对象", max_length=100, blank=True, help_text="如：全体村民、外出务工人员、留守老人、中小学生")
    participants = models.PositiveIntegerField(
        "覆盖人数（人次）", null=True, blank=True, help_text="参加或受众人数；会议讲座、入户走访必须填写"
    )
    app_installs = models.PositiveIntegerField(
        "推广安装反诈APP（人次）", default=0, help_text="本次活动中指导安装、注册国家反诈中心APP或“金钟罩”小程序的人次"
    )
    materials = models.PositiveIntegerField("发放宣传资料（份）", default=0)
    organiser = models.CharField("组织单位", max_length=100, blank=True, help_text="如：长岗村村委会、长岗镇司法所、长岗派出所")
    content = models.TextField("主要内容", blank=True, help_text="如以案释法所讲的案例、播放或推送的内容")

    data_field = "publicity"

    class Meta:
        verbose_name = verbose_name_plural = "宣传活动"
        indexes = [models.Index(fields=["division", "held_on"]), models.Index(fields=["topic", "held_on"])]

    def __str__(self):
        return f"{self.held_on} {self.title}"

    @property
    def online(self):
        """Whether the activity went through an online channel (电视、短信、微信、抖音)."""
        return self.channel in ONLINE_CHANNELS

    @property
    def channel_kind(self):
        return "线上" if self.online else "线下"

    def clean(self):
        super().clean()
        errors = {}
        if self.channel in HEADCOUNT_CHANNELS:
            label = Channel(self.channel).label
            if self.participants is None:
                errors["participants"] = f"{label}须填写覆盖人数（实际到场或走访的人数）。"
            elif self.participants == 0:
                errors["participants"] = f"{label}的覆盖人数应大于 0。"
        if self.participants is not None and self.app_installs and self.app_installs > self.participants:
            errors["app_installs"] = f"推广安装反诈APP人次（{self.app_installs}）不能多于覆盖人数（{self.participants}）。"
        if errors:
            raise ValidationError(errors)

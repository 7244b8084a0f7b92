"""Publicity metrics: per village, the activities held in a year, by topic, 反电诈 online and
offline, and the people reached and anti-fraud app installs promoted. Each is one query grouped by
village over the alive activities dated in the year."""

from django.db.models import Sum
from django.db.models.functions import Coalesce

from safestar.core.metrics import metric, per_village

from .models import ONLINE_CHANNELS, Activity, Topic

# What each topic's count is called (a plain "传销宣传次数" would read as promoting it).
TOPIC_LABELS = {
    Topic.LAW: "普法宣传次数",
    Topic.CASE_EXPLAINED: "以案释法活动次数",
    Topic.ANTI_FRAUD: "反电诈宣传次数",
    Topic.ILLEGAL_FUNDRAISING: "防范非法集资宣传次数",
    Topic.ONLINE_GAMBLING: "防范网络赌博宣传次数",
    Topic.PYRAMID_SELLING: "防范传销宣传次数",
    Topic.ANTI_CULT: "反邪教宣传次数",
    Topic.ATHEISM: "无神论宣传教育次数",
    Topic.SAFETY: "安全教育次数",
    Topic.OTHER: "其他主题宣传次数",
}


def activities(year, villages):
    return Activity.objects.alive().filter(held_on__year=year, division__in=villages)


@metric("publicity.activities", "宣传活动次数", "次")
def activity_count(year, villages):
    """当年开展的宣传活动（各主题、各方式合计）。"""
    return per_village(activities(year, villages))


for topic in Topic:
    metric(f"publicity.topic.{topic.value}", TOPIC_LABELS[topic], "次", f"当年宣传主题为“{topic.label}”的宣传活动。")(
        lambda year, villages, t=topic.value: per_village(activities(year, villages).filter(topic=t))
    )


@metric("publicity.anti_fraud_online", "反电诈线上宣传次数", "次")
def anti_fraud_online(year, villages):
    """当年通过线上方式（电视、短信、微信、抖音）开展的反电诈宣传。"""
    return per_village(activities(year, villages).filter(topic=Topic.ANTI_FRAUD, channel__in=ONLINE_CHANNELS))


@metric("publicity.anti_fraud_offline", "反电诈线下宣传次数", "次")
def anti_fraud_offline(year, villages):
    """当年通过线下方式（广播、电子屏、宣传栏、公交车身广告、会议讲座、入户走访等）开展的反电诈宣传。"""
    return per_village(activities(year, villages).filter(topic=Topic.ANTI_FRAUD).exclude(channel__in=ONLINE_CHANNELS))


@metric("publicity.app_installs", "推广安装反诈APP人次", "人次")
def app_installs(year, villages):
    """当年各宣传活动中推广安装国家反诈中心APP（含“金钟罩”小程序）的人次之和。"""
    return per_village(activities(year, villages), Coalesce(Sum("app_installs"), 0))


@metric("publicity.people_reached", "宣传覆盖人次", "人次")
def people_reached(year, villages):
    """当年各宣传活动覆盖人数之和（未填覆盖人数的活动不计）。"""
    return per_village(activities(year, villages), Coalesce(Sum("participants"), 0))

"""Each publicity metric on a small hand-made dataset, in exactly one query.

The dataset (year 2023 unless said otherwise; 人数 = participants, APP = app installs):

    长岗村  a  03-01  反电诈        会议讲座        80 人  APP 30
            b  04-02  反电诈        微信（线上）   300 人  APP 10
            c  05-03  反电诈        抖音（线上）    —      APP 0
            d  06-04  普法          宣传栏          —      APP 0
            e  07-05  防范非法集资  入户走访        25 人  APP 5
            f  08-06  反电诈        会议讲座      1000 人  APP 500   deleted: not counted
            g  2022-12-31 反电诈    短信           700 人  APP 70    another year: not counted
    杨庄村  h  02-01  反电诈        广播（大喇叭）  —      APP 0
            i  09-09  以案释法      会议讲座        50 人  APP 0
            j  2024-01-01 普法      会议讲座        60 人             another year: not counted
    平岗村  k  05-05  反电诈        会议讲座        40 人  APP 4     not among the villages asked for

The villages asked for are those of 长岗镇.
"""

import pytest
from django.utils import timezone

from conftest import CHANGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record
from safestar.core.metrics import METRICS, compute
from safestar.publicity.models import Topic


def activity(code, held_on, topic, channel, participants, app_installs=0, deleted=False):
    record = make_record(
        "publicity", code, held_on=held_on, topic=topic, channel=channel, participants=participants, app_installs=app_installs,
    )
    if deleted:
        type(record).objects.filter(pk=record.pk).update(deleted_at=timezone.now(), delete_reason="重复录入")
    return record


@pytest.fixture
def dataset(world):
    from safestar.org.models import Division

    activity(VILLAGE1, "2023-03-01", "anti_fraud", "meeting", 80, 30)  # a
    activity(VILLAGE1, "2023-04-02", "anti_fraud", "wechat", 300, 10)  # b
    activity(VILLAGE1, "2023-05-03", "anti_fraud", "douyin", None)  # c
    activity(VILLAGE1, "2023-06-04", "law", "board", None)  # d
    activity(VILLAGE1, "2023-07-05", "illegal_fundraising", "door_to_door", 25, 5)  # e
    activity(VILLAGE1, "2023-08-06", "anti_fraud", "meeting", 1000, 500, deleted=True)  # f
    activity(VILLAGE1, "2022-12-31", "anti_fraud", "sms", 700, 70)  # g
    activity(VILLAGE2, "2023-02-01", "anti_fraud", "loudspeaker", None)  # h
    activity(VILLAGE2, "2023-09-09", "case_explained", "meeting", 50)  # i
    activity(VILLAGE2, "2024-01-01", "law", "meeting", 60)  # j
    activity(PINGGANG_VILLAGE, "2023-05-05", "anti_fraud", "meeting", 40, 4)  # k
    ids = dict(Division.objects.filter(code__in=[VILLAGE1, VILLAGE2]).values_list("code", "pk"))
    villages = Division.objects.filter(parent__code=CHANGGANG, level="village")  # lazy: a subquery of the metric's query
    return ids[VILLAGE1], ids[VILLAGE2], villages


def measure(name, villages, django_assert_num_queries, year=2023):
    with django_assert_num_queries(1):
        return compute(name, year, villages)


EXPECTED = {
    # a b c d e (f deleted, g 2022) = 5; h i (j 2024) = 2
    "publicity.activities": (5, 2),
    # a b c = 3; h = 1
    "publicity.topic.anti_fraud": (3, 1),
    # d = 1; j is of 2024
    "publicity.topic.law": (1, None),
    # e = 1
    "publicity.topic.illegal_fundraising": (1, None),
    # i = 1
    "publicity.topic.case_explained": (None, 1),
    # b (微信) + c (抖音) = 2; 杨庄村 has none online
    "publicity.anti_fraud_online": (2, None),
    # a (会议讲座) = 1; h (大喇叭) = 1
    "publicity.anti_fraud_offline": (1, 1),
    # 30 + 10 + 0 + 0 + 5 = 45; 0 + 0 = 0
    "publicity.app_installs": (45, 0),
    # 80 + 300 + 25 = 405 (c, d blank); 50 (h blank)
    "publicity.people_reached": (405, 50),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metric_on_the_dataset(dataset, django_assert_num_queries, name):
    village1, village2, villages = dataset
    expected = {pk: value for pk, value in zip((village1, village2), EXPECTED[name]) if value is not None}
    assert measure(name, villages, django_assert_num_queries) == expected


@pytest.mark.parametrize("topic", [t for t in Topic.values if t not in ("anti_fraud", "law", "illegal_fundraising", "case_explained")])
def test_topics_without_activities_count_nothing(dataset, django_assert_num_queries, topic):
    assert measure(f"publicity.topic.{topic}", dataset[2], django_assert_num_queries) == {}


def test_another_year_counts_only_its_own_records(dataset, django_assert_num_queries):
    village1, village2, villages = dataset
    assert measure("publicity.activities", villages, django_assert_num_queries, 2022) == {village1: 1}  # g
    assert measure("publicity.people_reached", villages, django_assert_num_queries, 2022) == {village1: 700}  # g
    assert measure("publicity.activities", villages, django_assert_num_queries, 2024) == {village2: 1}  # j


def test_online_and_offline_add_up_to_all_anti_fraud(dataset, django_assert_num_queries):
    villages = dataset[2]
    online = measure("publicity.anti_fraud_online", villages, django_assert_num_queries)
    offline = measure("publicity.anti_fraud_offline", villages, django_assert_num_queries)
    total = measure("publicity.topic.anti_fraud", villages, django_assert_num_queries)
    assert {pk: online.get(pk, 0) + offline.get(pk, 0) for pk in total} == total


def test_every_metric_is_registered_with_its_unit():
    names = {name: (m.label, m.unit) for name, m in METRICS.items() if name.startswith("publicity.")}
    assert names["publicity.activities"] == ("宣传活动次数", "次")
    assert names["publicity.topic.anti_fraud"] == ("反电诈宣传次数", "次")
    assert names["publicity.topic.pyramid_selling"] == ("防范传销宣传次数", "次")
    assert names["publicity.app_installs"] == ("推广安装反诈APP人次", "人次")
    assert names["publicity.people_reached"] == ("宣传覆盖人次", "人次")
    assert {f"publicity.topic.{t}" for t in Topic.values} <= set(names)
    assert len(names) == 1 + len(Topic) + 4  # all, per topic, 反电诈 online / offline, installs, people reached
    assert all(METRICS[name].description for name in names)

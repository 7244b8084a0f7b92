"""Each 治安防控 metric on a small hand-made dataset, in exactly one query.

The villages asked for are those of 长岗镇 (a lazy queryset: a subquery of the metric's query);
平岗村 has records of every kind and must never appear. Year 2023 unless said otherwise.

技防设施 (kind, channels, networked, working, installed on; later changes with their effective day):

    长岗村  a  视频监控  4 路  联网    在用  2022-05-01                       counts: 4, networked 4
            b  视频监控  2 路  未联网  在用  2023-11-30  联网 from 2024-05-01  counts: 2; networked only in 2024
            c  视频监控  3 路  联网    停用  2021-01-01                       not working
            d  报警器    2 路  联网    在用  2022-01-01                       not video surveillance
            e  视频监控  5 路  联网    在用  2022-01-01  deleted              not counted
            f  视频监控  1 路  联网    在用  2024-02-01                       installed after 2023
            g  视频监控  2 路  未联网  在用  2023-06-01  entered 2024-01-10   a late entry: counts 2
            h  视频监控  8 路  联网    在用  2023-03-01  停用 from 2024-02-01  removed in 2024: counts 8 for 2023
               → 2023: channels 4 + 2 + 2 + 8 = 16, networked 4 + 8 = 12
               → 2024: channels 4 + 2 + 1 + 2 = 9, networked 4 + 2 + 1 = 7
    杨庄村  i  视频监控  3 路  未联网  在用  2021-04-01                       counts: 3
            j  硬质隔离  —     —       在用  2021-04-01
               → channels 3; networked: none (absent)
    平岗村  k  视频监控  6 路  联网    在用  2022-01-01                       not among the villages asked for

巡逻记录:  长岗村 2023-01-05, 2023-12-31, 2023-06-01 (deleted), 2022-12-31 → 2
           杨庄村 2023-03-03 → 1;   平岗村 2023-03-03 → absent
线索上报:  长岗村 2023-02-01 已上报, 2023-09-09 已办结, 2024-01-01 → 2
           杨庄村 2023-05-05 (deleted) → absent;   平岗村 2023-05-05 → absent

村治安防控概况 (officer, full-time + part-time, shops, established on; later changes):

    长岗村  王建军  2 + 6 = 8   12 家  2023-01-10  from 2024-03-01: 李卫东, 20 家 (2023 keeps 王建军, 12)
            刘某某  10 + 10     99 家  2023-01-01  deleted
    杨庄村  (空缺)  1 + 3 = 4    0 家  2023-02-01  entered 2024-01-20 (late): counts for 2023
    李庄村  张志强  3 + 5 = 8    7 家  2024-01-15  established after 2023: absent in 2023, present in 2024
    平岗村  陈国华  2 + 2        5 家  2023-01-01  not among the villages asked for
"""

import datetime

import pytest
from django.utils import timezone

from conftest import CHANGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, change_state, entered_on, make_record
from safestar.core.metrics import METRICS, compute

VILLAGE3 = "411422100203"  # 李庄村, 长岗镇


def record(slug, code, entered=None, deleted=False, **values):
    obj = make_record(slug, code, **values)
    if entered:
        entered_on(obj, entered)
    if deleted:
        type(obj).objects.filter(pk=obj.pk).update(deleted_at=timezone.now(), delete_reason="重复录入")
    return obj


def camera(code, kind, channels, networked, working, installed_on, entered=None, deleted=False):
    return record("cameras", code, entered, deleted, kind=kind, channels=channels, networked=networked, working=working,
                  installed_on=datetime.date.fromisoformat(installed_on))


@pytest.fixture
def dataset(world):
    from safestar.org.models import Division

    camera(VILLAGE1, "camera", 4, True, True, "2022-05-01")  # a
    b = camera(VILLAGE1, "camera", 2, False, True, "2023-11-30")  # b
    change_state(b, datetime.date(2024, 5, 1), networked=True)
    camera(VILLAGE1, "camera", 3, True, False, "2021-01-01")  # c
    camera(VILLAGE1, "alarm", 2, True, True, "2022-01-01")  # d
    camera(VILLAGE1, "camera", 5, True, True, "2022-01-01", deleted=True)  # e
    camera(VILLAGE1, "camera", 1, True, True, "2024-02-01")  # f
    camera(VILLAGE1, "camera", 2, False, True, "2023-06-01", entered="2024-01-10T10:00")  # g
    h = camera(VILLAGE1, "camera", 8, True, True, "2023-03-01")  # h
    change_state(h, datetime.date(2024, 2, 1), working=False)
    camera(VILLAGE2, "camera", 3, False, True, "2021-04-01")  # i
    camera(VILLAGE2, "barrier", None, False, True, "2021-04-01")  # j
    camera(PINGGANG_VILLAGE, "camera", 6, True, True, "2022-01-01")  # k

    patrols = [(VILLAGE1, "2023-01-05", False), (VILLAGE1, "2023-12-31", False), (VILLAGE1, "2023-06-01", True),
               (VILLAGE1, "2022-12-31", False), (VILLAGE2, "2023-03-03", False), (PINGGANG_VILLAGE, "2023-03-03", False)]
    for code, day, deleted in patrols:
        record("patrols", code, deleted=deleted, patrolled_on=datetime.date.fromisoformat(day))
    for code, day, status, deleted in [(VILLAGE1, "2023-02-01", "reported", False), (VILLAGE1, "2023-09-09", "closed", False),
                                       (VILLAGE1, "2024-01-01", "handling", False), (VILLAGE2, "2023-05-05", "reported", True),
                                       (PINGGANG_VILLAGE, "2023-05-05", "reported", False)]:
        record("clues", code, deleted=deleted, reported_on=datetime.date.fromisoformat(day), status=status, result="已查处")

    def profile(code, established, entered=None, deleted=False, **values):
        return record("security-profiles", code, entered, deleted, key_site_guards=1, updated_on=datetime.date(2023, 1, 1),
                      established_on=datetime.date.fromisoformat(established), **values)

    profile(VILLAGE1, "2023-01-01", deleted=True, police_officer="刘某某", full_time_members=10, part_time_members=10,
            mutual_watch_shops=99)
    mine = profile(VILLAGE1, "2023-01-10", police_officer="王建军", full_time_members=2, part_time_members=6, mutual_watch_shops=12)
    change_state(mine, datetime.date(2024, 3, 1), police_officer="李卫东", mutual_watch_shops=20)
    profile(VILLAGE2, "2023-02-01", "2024-01-20T09:00", police_officer="", police_phone="", full_time_members=1,
            part_time_members=3, mutual_watch_shops=0)
    profile(VILLAGE3, "2024-01-15", police_officer="张志强", full_time_members=3, part_time_members=5, mutual_watch_shops=7)
    profile(PINGGANG_VILLAGE, "2023-01-01", police_officer="陈国华", full_time_members=2, part_time_members=2, mutual_watch_shops=5)

    ids = dict(Division.objects.filter(code__in=[VILLAGE1, VILLAGE2, VILLAGE3]).values_list("code", "pk"))
    villages = Division.objects.filter(parent__code=CHANGGANG, level="village")
    return ids[VILLAGE1], ids[VILLAGE2], ids[VILLAGE3], villages


def measure(name, villages, django_assert_num_queries, year=2023):
    with django_assert_num_queries(1):
        return compute(name, year, villages)


def test_the_metrics_are_declared_with_label_and_unit():
    declared = {name: (m.label, m.unit) for name, m in METRICS.items() if name.startswith("security.")}
    assert declared == {
        "security.camera_channels": ("在用监控探头路数", "路"),
        "security.networked_channels": ("与公安联网的在用监控路数", "路"),
        "security.patrols": ("巡逻次数", "次"),
        "security.clues": ("上报线索数", "条"),
        "security.has_police_officer": ("落实一村一警民警", "名"),
        "security.patrol_team_size": ("巡逻队人数", "人"),
        "security.mutual_watch_shops": ("守望互助商铺数", "家"),
    }
    assert all(METRICS[name].description for name in declared)  # described in Chinese for docs and the scoring page


def test_camera_channels(dataset, django_assert_num_queries):
    v1, v2, _, villages = dataset
    # 长岗村: a 4 + b 2 + g 2 (entered late) + h 8 (removed only in 2024) = 16 (c stopped, d an alarm, e deleted,
    # f installed 2024); 杨庄村: i 3
    assert measure("security.camera_channels", villages, django_assert_num_queries) == {v1: 16, v2: 3}


def test_camera_channels_of_a_later_year_count_what_was_installed_by_then(dataset, django_assert_num_queries):
    v1, v2, _, villages = dataset
    # 2024: f (installed 2024-02-01) counts, h (removed 2024-02-01) no longer: 4 + 2 + 1 + 2 = 9
    assert measure("security.camera_channels", villages, django_assert_num_queries, year=2024) == {v1: 9, v2: 3}
    # 2021: only c (stopped) and i (杨庄村, 2021-04-01) were installed; c does not work
    assert measure("security.camera_channels", villages, django_assert_num_queries, year=2021) == {v2: 3}


def test_networked_channels(dataset, django_assert_num_queries):
    v1, _, _, villages = dataset
    # 长岗村: a 4 and h 8 (b only from 2024, g never); 杨庄村's i is not: absent
    assert measure("security.networked_channels", villages, django_assert_num_queries) == {v1: 12}
    # 2024: h removed, b networked, f new: 4 + 2 + 1
    assert measure("security.networked_channels", villages, django_assert_num_queries, year=2024) == {v1: 7}


def test_patrols(dataset, django_assert_num_queries):
    v1, v2, _, villages = dataset
    # 长岗村: 01-05 and 12-31 (06-01 deleted, 2022-12-31 another year); 杨庄村: 03-03
    assert measure("security.patrols", villages, django_assert_num_queries) == {v1: 2, v2: 1}


def test_clues(dataset, django_assert_num_queries):
    v1, _, _, villages = dataset
    # 长岗村: 02-01 and 09-09 whatever their status (2024-01-01 another year); 杨庄村's only clue deleted
    assert measure("security.clues", villages, django_assert_num_queries) == {v1: 2}


def test_has_police_officer(dataset, django_assert_num_queries):
    v1, _, v3, villages = dataset
    # 长岗村 names 王建军 (李卫东 from 2024); 杨庄村's post is vacant; 李庄村's profile was established in 2024
    assert measure("security.has_police_officer", villages, django_assert_num_queries) == {v1: 1}
    assert measure("security.has_police_officer", villages, django_assert_num_queries, year=2024) == {v1: 1, v3: 1}


def test_patrol_team_size(dataset, django_assert_num_queries):
    v1, v2, v3, villages = dataset
    # 长岗村 2 + 6 = 8 (not the deleted 10 + 10); 杨庄村 1 + 3 = 4; 李庄村 only from 2024: 3 + 5 = 8
    assert measure("security.patrol_team_size", villages, django_assert_num_queries) == {v1: 8, v2: 4}
    assert measure("security.patrol_team_size", villages, django_assert_num_queries, year=2024) == {v1: 8, v2: 4, v3: 8}
    assert measure("security.patrol_team_size", villages, django_assert_num_queries, year=2022) == {}


def test_mutual_watch_shops(dataset, django_assert_num_queries):
    v1, v2, v3, villages = dataset
    # 长岗村 12 (not the deleted 99, nor the 20 of 2024); 杨庄村 0 (it has a profile, entered late, so it appears with 0)
    assert measure("security.mutual_watch_shops", villages, django_assert_num_queries) == {v1: 12, v2: 0}
    assert measure("security.mutual_watch_shops", villages, django_assert_num_queries, year=2024) == {v1: 20, v2: 0, v3: 7}


@pytest.mark.parametrize("name", ["security.camera_channels", "security.patrols", "security.patrol_team_size"])
def test_the_village_of_another_town_appears_only_when_asked_for(dataset, django_assert_num_queries, name):
    from safestar.org.models import Division

    pinggang = Division.objects.get(code=PINGGANG_VILLAGE)
    values = measure(name, Division.objects.filter(code__in=[VILLAGE1, PINGGANG_VILLAGE]), django_assert_num_queries)
    assert pinggang.pk in values and len(values) == 2

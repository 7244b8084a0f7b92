"""治安防控 metrics: camera channels, patrols, clue reports and the village's prevention set-up.

Each metric is ONE query grouped by village over the alive records of the villages given, as of the
year's end (core/metrics.year_end: 31 December, or today in the current year).

Events (patrols, clues) count by their own date in the year.

States read the ledger as it stood on that day (core/states.py):
- a facility counts if it was installed (安装日期) by then and was 在用 then: a camera removed or
  broken in the next year (在用 unticked, effective then) still counts for this one;
- the profile (one per village, updated in place) counts if established (建立日期) by then, with
  its officer, team and shops as they stood then: a change counts from the day it took effect.
"""

from django.db.models import F, Sum

from safestar.core.metrics import metric, per_village, records_in, standing, year_end

from .models import Camera, Clue, FacilityKind, Patrol, SecurityProfile


def working_cameras(year, villages):
    cameras = standing(Camera, villages, year_end(year), "installed_on", "working", "networked")
    return cameras.filter(kind=FacilityKind.CAMERA, asof_working=True)


def profiles(year, villages):
    return standing(SecurityProfile, villages, year_end(year), "established_on", *SecurityProfile.tracked_fields)


@metric("security.camera_channels", "在用监控探头路数", "路")
def camera_channels(year, villages):
    """年底时在用的视频监控路数合计；创建方案要求每村不少于 6 路。计安装日期不晚于年底、年底时“在用”的（此后停用、拆除的仍计入当年）。"""
    return per_village(working_cameras(year, villages), Sum("channels"))


@metric("security.networked_channels", "与公安联网的在用监控路数", "路")
def networked_channels(year, villages):
    """年底时在用、且年底时已与公安机关联网的视频监控路数合计。"""
    return per_village(working_cameras(year, villages).filter(asof_networked=True), Sum("channels"))


@metric("security.patrols", "巡逻次数", "次")
def patrol_count(year, villages):
    """巡逻日期在当年的巡逻记录条数。"""
    return per_village(records_in(Patrol, villages).filter(patrolled_on__year=year))


@metric("security.clues", "上报线索数", "条")
def clue_count(year, villages):
    """上报日期在当年的线索条数（黄赌毒、侵害妇女儿童、涉黑涉恶、村霸及其他，不论办理状态）。"""
    return per_village(records_in(Clue, villages).filter(reported_on__year=year))


@metric("security.has_police_officer", "落实一村一警民警", "名")
def has_police_officer(year, villages):
    """年底时村治安防控概况中有一村一警民警的村为 1，未填写或没有概况的村不出现（按 0 计）。"""
    named = profiles(year, villages).exclude(asof_police_officer="")
    return dict.fromkeys(per_village(named), 1)


@metric("security.patrol_team_size", "巡逻队人数", "人")
def patrol_team_size(year, villages):
    """年底时村治安防控概况中的专职队员与兼职队员人数之和。"""
    return per_village(profiles(year, villages), Sum(F("asof_full_time_members") + F("asof_part_time_members")))


@metric("security.mutual_watch_shops", "守望互助商铺数", "家")
def mutual_watch_shops(year, villages):
    """年底时村治安防控概况中参加守望互助的商铺数。"""
    return per_village(profiles(year, villages), Sum("asof_mutual_watch_shops"))

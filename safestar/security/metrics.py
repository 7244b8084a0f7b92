"""治安防控 metrics: camera channels, patrols, clue reports and the village's prevention set-up.

Each metric is ONE query grouped by village over the alive records of the villages given.

Metrics of events (patrols, clues) count the records dated in the year.

Metrics of a state (cameras, the profile) describe the village as its ledgers stand now; the year
only keeps out what did not exist yet at the end of that year:
- a facility counts if it was installed by the end of the year (安装日期); when its installation
  date is not known, if it was entered by the end of the year (录入时间, created_at). So the
  cameras a village enters in January for the year just ended count, if installed in that year or
  before; a camera installed in January does not;
- the profile counts if it was entered by the end of the year (created_at__year__lte=year). Its
  信息更新日期 is not used: updating the profile later must not remove it from the past years.
A ledger keeps no history of states: deleting or editing a record changes past years' values too.
"""

import datetime

from django.db.models import F, Q, Sum

from safestar.core.metrics import metric, per_village, records_in

from .models import Camera, Clue, FacilityKind, Patrol, SecurityProfile


def working_cameras(year, villages):
    existing = Q(installed_on__lte=datetime.date(year, 12, 31)) | Q(installed_on__isnull=True, created_at__year__lte=year)
    return records_in(Camera, villages).filter(existing, kind=FacilityKind.CAMERA, working=True)


def profiles(year, villages):
    return records_in(SecurityProfile, villages).filter(created_at__year__lte=year)


@metric("security.camera_channels", "在用监控探头路数", "路")
def camera_channels(year, villages):
    """在用（未停用）的视频监控路数合计；创建方案要求每村不少于 6 路。计当年年底前已安装的（安装日期不详的，按录入时间）。"""
    return per_village(working_cameras(year, villages), Sum("channels"))


@metric("security.networked_channels", "与公安联网的在用监控路数", "路")
def networked_channels(year, villages):
    """在用视频监控中已与公安机关联网的路数合计；同样只计当年年底前已安装的。"""
    return per_village(working_cameras(year, villages).filter(networked=True), Sum("channels"))


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
    """村治安防控概况（当年年底前录入）中填写了一村一警民警的村为 1，未填写或没有概况的村不出现（按 0 计）。"""
    named = profiles(year, villages).exclude(police_officer="")
    return dict.fromkeys(per_village(named), 1)


@metric("security.patrol_team_size", "巡逻队人数", "人")
def patrol_team_size(year, villages):
    """村治安防控概况中的专职队员与兼职队员人数之和。"""
    return per_village(profiles(year, villages), Sum(F("full_time_members") + F("part_time_members")))


@metric("security.mutual_watch_shops", "守望互助商铺数", "家")
def mutual_watch_shops(year, villages):
    """村治安防控概况中参加守望互助的商铺数。"""
    return per_village(profiles(year, villages), Sum("mutual_watch_shops"))

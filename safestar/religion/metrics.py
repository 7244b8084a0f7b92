"""宗教 metrics: the venues a village knows of, the clues it reported, its care visits to believers.

Each metric is ONE query grouped by village over the alive records of the villages given; a village
without matching records is absent (the engine reads it as 0).

The venues are a state, read as of the year's end (core/metrics.year_end, core/states.py): a venue
counts if the village knew of it by then (掌握日期) and it was not banned then; its registration and
the cadres' last visit are read as they stood then too (a venue banned, registered or visited in the
next year keeps its state of this one). Activities and clues are events: counted by their date.
"At the year's end" is 31 December: a clue closed in the January after is still open for the year.
"""

import datetime

from django.db.models import Q

from safestar.core.metrics import kept, metric, per_village, records_in, standing, year_end
from safestar.core.states import as_of

from .models import CLUE_KINDS, ActivityKind, HandlingStatus, ReligiousActivity, ReligiousVenue, VenueStatus


def known_venues(year, villages):
    """Alive venues of the villages known by the end of `year` and not banned (已取缔) then."""
    venues = standing(ReligiousVenue, villages, year_end(year), "known_since", "status", "registered")
    return venues.exclude(asof_status=VenueStatus.BANNED)


def activities(year, villages):
    return ReligiousActivity.objects.alive().filter(division__in=villages, held_on__year=year)


@metric("religion.venues", "掌握的宗教活动场所数", "处")
def venues(year, villages):
    """掌握日期不晚于年底、年底时状态不是“已取缔”的宗教活动场所（含未登记的）。"""
    return per_village(known_venues(year, villages))


@metric("religion.unregistered_venues", "未依法登记的宗教活动场所数", "处")
def unregistered_venues(year, villages):
    """掌握的宗教活动场所（不含已取缔）中年底时未依法登记的处数。"""
    return per_village(known_venues(year, villages).filter(asof_registered=False))


@metric("religion.clues_reported", "上报涉宗教线索数", "条")
def clues_reported(year, villages):
    """日期在当年的非法宗教活动线索、邪教线索、宗教干涉村务线索条数（不论办理状态）。"""
    return per_village(activities(year, villages).filter(kind__in=CLUE_KINDS))


@metric("religion.clues_open", "年底未办结的涉宗教线索数", "条")
def clues_open(year, villages):
    """当年的涉宗教线索中，到当年12月31日尚未办结的条数（次年才办结的仍计入）。"""
    closed = Q(status=HandlingStatus.CLOSED, closed_on__lte=datetime.date(year, 12, 31))
    return per_village(activities(year, villages).filter(kind__in=CLUE_KINDS).exclude(closed))


@metric("religion.care_visits", "关爱走访信教群众次数", "次")
def care_visits(year, villages):
    """日期在当年的“关爱走访信教群众”记录条数。"""
    return per_village(activities(year, villages).filter(kind=ActivityKind.CARE_VISIT))


@metric("religion.venues_visited", "当年村干部走访过的宗教活动场所数", "处")
def venues_visited(year, villages):
    """年底时的“村干部最近走访日期”在当年的宗教活动场所处数（不论场所状态；次年再走访不影响当年）。"""
    venues = as_of(records_in(ReligiousVenue, villages), year_end(year), "last_visited_on")
    return per_village(venues.filter(asof_last_visited_on__year=year))


@kept("religious_clues", "涉宗教线索")
def clues_kept(year, villages):
    """日期在当年的涉宗教线索。没有时须有“本年度无涉宗教线索”的零报告。"""
    return per_village(activities(year, villages).filter(kind__in=CLUE_KINDS))

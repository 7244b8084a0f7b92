"""The campaign dashboard (创建态势) of a division for a year, computed in one place for the page,
the API and the charts: a fixed number of set-based queries whatever the number of villages.

Below a town, one row per village: its 三零 (recognised incidents by 零案件 / 零信访 / 零事故), its
live score and result by the scheme that applies to it, the star it holds, the share of points it
holds per category (the heat map). Above a town (a county, a city), one row per division directly
below (towns, counties) with the same figures summed or averaged, so the towns compare in one table
and each row drills down; its heat-map row is the share of points its villages hold together per
category, and the trend has one series per division below. Overdue counts are as of today (safestar.clock.today()); the trend is the
stored monthly snapshots (models.Snapshot), never recomputed.
"""

from collections import Counter, defaultdict

from django.db.models import Avg, Count, Q
from django.db.models.functions import Substr
from django.urls import reverse

from safestar.clock import today
from safestar.core.scope import can_read
from safestar.creation.models import Application, ApplicationStatus, PlanStatus, RectificationPlan, Task, TaskStatus
from safestar.disputes.models import Dispute, disputes_overdue_on
from safestar.evaluation.models import StarRecord
from safestar.incidents.metrics import three_zero
from safestar.incidents.models import ZeroCategory
from safestar.keypersons.models import KeyPerson
from safestar.keypersons.overdue import overdue_on
from safestar.org.models import Division
from safestar.org.roles import Level
from safestar.safety.models import Hazard
from safestar.schemes.engine import FAILED, PASSED, UNDETERMINED, VETOED
from safestar.schemes.models import Scheme
from safestar.schemes.services import results

from . import signs
from .models import Snapshot

BINS = ((0, 60, "60分以下"), (60, 70, "60–70分"), (70, 80, "70–80分"), (80, 90, "80–90分"), (90, 1000, "90分及以上"))
STATUSES = (PASSED, FAILED, VETOED, UNDETERMINED)


def years(user):
    """The years with a scheme the user can read, newest first (the year selector)."""
    return sorted(set(Scheme.objects.visible_to(user).values_list("year", flat=True)), reverse=True)


def schemes_for(divisions, year, user):
    """{division id: Scheme}: the scheme applying to each division in `year`: the latest version, from
    the issuer nearest to the division (as schemes.loading.applicable), in one query."""
    codes = {code for d in divisions for code in d.ancestor_codes()}
    latest = {}
    readable = Scheme.objects.visible_to(user) if user is not None else Scheme.objects.all()  # None: the system's own snapshot
    for scheme in readable.filter(year=year, issuer__code__in=codes).select_related("issuer").order_by("star", "-version"):
        latest.setdefault((scheme.star, scheme.issuer_id), scheme)
    found = {}
    for division in divisions:
        path = set(division.ancestor_codes())
        candidates = sorted((s for s in latest.values() if s.issuer.code in path), key=lambda s: (-len(s.issuer.path), s.star))
        if candidates:
            found[division.pk] = candidates[0]
    return found


def villages_below(user, division):
    return Division.objects.visible_to(user).filter(level=Level.VILLAGE, path__startswith=division.path)


def _per_village(queryset, field="division"):
    return Counter(dict(queryset.order_by().values(field).annotate(n=Count("id")).values_list(field, "n")))


def _overdue(user, villages):
    """[(key, label, {village id: n}, url or None)]: what is overdue today, by kind."""
    day = today()
    found = []
    tasks = Task.objects.visible_to(user).filter(village__in=villages).filter(Task.overdue_q())
    found.append(("tasks", "逾期创建任务", _per_village(tasks, "village"), reverse("my-todo")))
    plans = RectificationPlan.objects.visible_to(user).filter(village__in=villages).filter(RectificationPlan.overdue_q())
    found.append(("plans", "逾期整改", _per_village(plans, "village"), reverse("rectifications") + "?overdue=1"))
    if can_read(KeyPerson, user):
        late = overdue_on(KeyPerson.objects.visible_to(user).filter(division__in=villages), day)
        found.append(("keypersons", "重点人员走访逾期", Counter(late.values_list("division", flat=True)), reverse("key-persons-overdue")))
    if can_read(Dispute, user):
        disputes = Dispute.objects.visible_to(user).alive().filter(division__in=villages).filter(disputes_overdue_on(day))
        found.append(("disputes", "超期未化解纠纷", _per_village(disputes), reverse("ledger-list", args=["disputes"]) + "?overdue=1"))
    if can_read(Hazard, user):
        hazards = Hazard.objects.visible_to(user).alive().filter(division__in=villages).overdue_on(day)
        found.append(("hazards", "超期未整改隐患", _per_village(hazards), reverse("ledger-list", args=["hazards"]) + "?overdue=1"))
    return found


def _progress(user, villages, year):
    """{village id: {"applied", "confirmed", "tasks", "tasks_done", "plans", "plans_closed"}} for the year."""
    counts = defaultdict(Counter)
    for village, status in Application.objects.visible_to(user).filter(village__in=villages, year=year).values_list("village", "status"):
        counts[village]["applied"] += 1
        counts[village]["confirmed"] += status == ApplicationStatus.CONFIRMED
    tasks = (Task.objects.visible_to(user).filter(village__in=villages, application__year=year).order_by().values("village")
             .annotate(n=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE))).values_list("village", "n", "done"))
    for village, n, done in tasks:
        counts[village]["tasks"] += n
        counts[village]["tasks_done"] += done
    plans = (RectificationPlan.objects.visible_to(user).filter(village__in=villages, finding__found_on__year=year).order_by()
             .values("village").annotate(n=Count("id"), closed=Count("id", filter=Q(status=PlanStatus.CLOSED)))
             .values_list("village", "n", "closed"))
    for village, n, closed in plans:
        counts[village]["plans"] += n
        counts[village]["plans_closed"] += closed
    return counts


def _stars(user, villages, year):
    """{village id: "平安法治星（档次）"} of the villages holding their star of the year now."""
    held = {}
    rows = StarRecord.objects.visible_to(user).filter(village__in=villages, year=year).order_by("village", "id")
    for village, action, star, band in rows.values_list("village", "action", "star", "band"):
        held[village] = (star + (f"（{band}）" if band else "")) if action == StarRecord.Action.AWARDED else ""
    return held


def _percent(done, total):
    return round(100 * done / total, 1) if total else None


def evaluated(user, villages, year):
    """{village id: (Scheme, VillageResult)}: each village's live result by the scheme that applies
    to its town; the engine runs once per scheme (a fixed number of queries each), not per village."""
    by_town = defaultdict(list)
    for pk, town in villages.values_list("id", "parent_id"):
        by_town[town].append(pk)
    schemes = schemes_for(list(Division.objects.filter(pk__in=list(by_town))), year, user)
    found = {}
    for scheme in {s.pk: s for s in schemes.values()}.values():
        towns = [town for town, scheme_of in schemes.items() if scheme_of.pk == scheme.pk]
        for result in results(scheme, villages.filter(parent_id__in=towns)):
            found[result.village] = (scheme, result)
    return found


def compute(user, division, year):
    """The dashboard of `division` (already checked visible) for `year`, as plain data (JSON-ready)."""
    villages = villages_below(user, division)
    rows = list(villages.order_by("code").values_list("id", "code", "name", "parent_id", "path"))
    results_of = evaluated(user, villages, year)
    used = {scheme.pk: scheme for scheme, _ in results_of.values()}
    warned = signs.warnings(user, villages, year, results_of)
    zero = three_zero(year, villages)
    stars = _stars(user, villages, year)
    progress = _progress(user, villages, year)
    overdue = _overdue(user, villages)

    at_town = division.level == Level.TOWN
    categories = _categories(used.values())
    held = {pk: _held(result) for pk, (_, result) in results_of.items()}
    village_rows = []
    for pk, code, name, town, path in rows:
        scheme, result = results_of.get(pk, (None, None))
        counts = {c.value: zero.get(pk, {}).get(c.value, 0) for c in ZeroCategory}
        row = {
            "id": pk, "code": code, "name": name, "path": path,
            "url": reverse("scorecard", args=[scheme.pk, code]) if scheme else reverse("division", args=[code]),
            "zero": counts, "zero_ok": not any(counts.values()),
            "total": result.total if result else None, "status": result.status if result else "无方案",
            "band": result.band if result else "", "rank": result.rank if result else None,
            "star": stars.get(pk, ""),
            "warnings": len(warned.get(pk, [])),
            "warning_level": warned[pk][0].sign.level if pk in warned else "",
            "progress": dict(progress.get(pk, {})),
            "overdue": {key: n.get(pk, 0) for key, _, n, _ in overdue},
        }
        if categories and result:
            row["shares"] = _shares(*held[pk], categories)
        village_rows.append(row)

    data = {
        "division": {"code": division.code, "name": division.name, "level": division.level, "level_label": Level(division.level).label},
        "child_label": "村" if at_town else CHILD_LABELS.get(division.level, "区划"),
        "year": year,
        "schemes": [{"id": s.pk, "name": str(s)} for s in used.values()],
        "at_town": at_town,
        "categories": categories,
        "distribution": _distribution(village_rows),
        "statuses": [{"label": s, "count": sum(1 for r in village_rows if r["status"] == s)} for s in STATUSES],
        "progress": _progress_bars(village_rows, len(village_rows)),
        "overdue": [{"key": key, "label": label, "count": sum(n.values()), "url": url} for key, label, n, url in overdue],
        "trend": _trend(villages, year),
        "villages": len(village_rows),
    }
    if at_town:
        data["rows"] = sorted(village_rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    else:
        data["rows"] = _areas(user, division, year, village_rows, overdue, held, categories)
        data["area_trend"] = _area_trend(villages, year, division, data["rows"])
    return data


CHILD_LABELS = {Level.PROVINCE: "市", Level.CITY: "县（区）", Level.COUNTY: "乡镇"}


def published(data):
    """The dashboard as the API answers it and the page's charts read it (the same figures as the
    page's tables): the rows without their internal id and path."""
    return {**data, "rows": [{k: v for k, v in row.items() if k not in ("id", "path")} for row in data["rows"]]}


def _categories(schemes):
    """The category titles of the schemes in use, in each scheme's order (a county whose towns use
    different schemes gets the union: a town whose scheme lacks a category has no share in it)."""
    found = []
    for scheme in sorted(schemes, key=lambda s: s.pk):
        found += [c.title for c in scheme.spec.categories if c.title not in found]
    return found


def _held(result):
    """(points held, points available) per category of one village's result."""
    held, points = Counter(), Counter()
    for indicator in result.indicators:
        held[indicator.category] += indicator.awarded or 0
        points[indicator.category] += indicator.points
    return held, points


def _shares(held, points, categories):
    """The share of points held per category (whole per cent), None where there are none to hold."""
    return [round(100 * held[c] / points[c]) if points[c] else None for c in categories]


def _distribution(rows):
    totals = [r["total"] for r in rows if r["total"] is not None]
    return [{"label": label, "count": sum(1 for t in totals if low <= t < high)} for low, high, label in BINS]


def _progress_bars(rows, n_villages):
    total = Counter()
    for row in rows:
        total.update(row["progress"])
    bars = [("创建申请已确认（村）", total["confirmed"], n_villages), ("创建任务已完成", total["tasks_done"], total["tasks"]),
            ("整改已销号", total["plans_closed"], total["plans"])]
    return [{"label": label, "done": done, "total": of, "percent": _percent(done, of)} for label, done, of in bars]


def _trend(villages, year):
    rows = (Snapshot.objects.filter(year=year, village__in=villages).order_by("month").values("month")
            .annotate(average=Avg("total"), villages=Count("id"), passed=Count("id", filter=Q(status=PASSED))))
    return [{"month": f"{r['month']:%Y-%m}", "average": round(r["average"], 1), "passed": r["passed"], "villages": r["villages"]} for r in rows]


def _areas(user, division, year, village_rows, overdue, held, categories):
    """One row per division directly below `division`, summing its villages. Its heat-map row
    (`shares`) is the share of points its villages hold together per category: points held over
    points available, summed over the villages that have a result."""
    children = list(Division.objects.visible_to(user).filter(parent=division).order_by("code").values_list("code", "name", "path"))
    areas = []
    for code, name, path in children:
        mine = [r for r in village_rows if r["path"].startswith(path)]
        if not mine:
            continue
        totals = [r["total"] for r in mine if r["total"] is not None]
        progress, area_held, area_points = Counter(), Counter(), Counter()
        for r in mine:
            progress.update(r["progress"])
            if r["id"] in held:
                area_held.update(held[r["id"]][0])
                area_points.update(held[r["id"]][1])
        areas.append({
            "code": code, "name": name, "path": path, "url": reverse("dashboard") + f"?division={code}&year={year}",
            "villages": len(mine),
            "average": round(sum(totals) / len(totals), 1) if totals else None,
            "statuses": {s: sum(1 for r in mine if r["status"] == s) for s in STATUSES},
            "zero_ok": sum(1 for r in mine if r["zero_ok"]),
            "stars": sum(1 for r in mine if r["star"]),
            "warned": sum(1 for r in mine if r["warnings"]),
            "confirmed_percent": _percent(progress["confirmed"], len(mine)),
            "tasks_percent": _percent(progress["tasks_done"], progress["tasks"]),
            "plans_percent": _percent(progress["plans_closed"], progress["plans"]),
            "overdue": {key: sum(r["overdue"][key] for r in mine) for key, _, _, _ in overdue},
            "shares": _shares(area_held, area_points, categories),
        })
    return areas


def _area_trend(villages, year, division, areas):
    """The month-by-month trend, one series per division below (`areas`, the table's rows): the
    average of its villages' stored snapshots each month, in one grouped query. Division codes are
    12 digits (org.models.validate_child_code), so the first len(path) + 13 characters of a
    village's path are the path of the division below `division` that holds it."""
    width = len(division.path) + 13
    rows = (Snapshot.objects.filter(year=year, village__in=villages).annotate(area=Substr("village__path", 1, width))
            .order_by().values("month", "area").annotate(average=Avg("total")).values_list("month", "area", "average"))
    averages = {(area, month): average for month, area, average in rows}
    months = sorted({month for _, month in averages})
    return {
        "months": [f"{m:%Y-%m}" for m in months],
        "series": [{"code": a["code"], "name": a["name"], "url": a["url"],
                    "averages": [round(averages[a["path"], m], 1) if (a["path"], m) in averages else None for m in months]}
                   for a in areas],
    }

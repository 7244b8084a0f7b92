"""The schemes app's actions: evaluating a scheme for the villages under a division (gather the
facts, run the engine, rank), and the manual scores: who may give them, and giving one (which
freezes the scheme version)."""

from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from safestar.audit.log import record
from safestar.clock import today
from safestar.org.models import Division
from safestar.org.roles import Level

from . import cache
from .engine import FAILED, PASSED, UNDETERMINED, VETOED, evaluate, rank
from .facts import gather
from .kinds import kind_of
from .loading import issued_by, latest_versions
from .models import ManualScore, Scheme
from safestar.core import compiled
from safestar.core.numbers import figure


def villages_under(division, queryset=None):
    queryset = queryset if queryset is not None else Division.objects.all()
    return queryset.filter(level="village", path__startswith=division.path).order_by("code")


def scheme_villages(scheme, division, queryset=None):
    """The villages under `division` that `scheme` applies to: only those under its issuer (the
    county reading a town's scheme sees that town's villages, never the other towns' as 待定)."""
    return villages_under(division, queryset).filter(path__startswith=scheme.issuer.path)


FEW = 500  # up to this many villages to compute: read through their ids, the counts together (results)


def results(scheme, villages, manual=None, *, variant=0, given=None, rows=None, few=FEW):
    """Ranked results for `villages` (a Division queryset, already scoped by the caller), with the
    manual scores given so far (and `manual` on top, e.g. from the command line).

    Results are reused (cache.py): the villages whose stored result is still valid are not
    recomputed. An evaluation round passes variant=its id and given(villages) → its points, asked
    only for the villages computed afresh. An explicit `manual` is never stored. `rows`: the
    villages' [(id, code, name)] when the caller has them already (one query fewer). `few`: up to how
    many villages to compute are read through their ids with the counts together (0: always the plan
    over `villages`, as the evaluation benchmark times it)."""
    rows = list(villages.values_list("id", "code", "name")) if rows is None else rows
    if manual is not None:  # never stored
        found, _ = _computed(scheme, villages, rows, rows, {}, given, manual, few)
        return rank([found[row[0]] for row in rows])
    stamp, found = cache.reused(scheme, variant, rows)  # the generation is read before the facts: see cache.py
    missing = [row for row in rows if row[0] not in found]
    if missing:
        # a few villages made stale by a write: one process at a time (the others read what it stored)
        with cache.computing(scheme, variant) if len(missing) <= few else nullcontext(False) as waited:
            if waited:  # another worker computed meanwhile, most likely the same villages (after the same write)
                stamp, more = cache.reused(scheme, variant, missing)
                found |= more
                missing = [row for row in missing if row[0] not in more]
            if missing:
                found, fresh = _computed(scheme, villages, rows, missing, found, given, None, few)
                cache.store(scheme, variant, fresh, stamp)
    return rank([found[row[0]] for row in rows])


def _computed(scheme, villages, rows, missing, found, given, manual, few):
    """({village: result} of `rows`: those `found` and the `missing` computed, [the results computed])."""
    if len(missing) <= few:
        # their ids, not a query of divisions: "village IN (ids)" lets the database go through each
        # record table's village index (SQLite plans "IN (SELECT …)" blind, and read a whole year of
        # the province's records to score one village); the counts are read together (gather)
        subset = [row[0] for row in missing]
    else:  # too many ids for one IN list: recompute them all
        subset, missing = villages, rows
        found = {}
    if manual is None and len(missing) <= few:  # facts gathered for them since the last write to a fact are kept
        facts = cache.gathered(scheme, subset)
    else:
        facts = gather(scheme.spec, scheme.year, subset, together=len(missing) <= few)
    scores = manual_scores(scheme, subset) | (given(subset) if given else {}) | (manual or {})
    fresh = evaluate(scheme.spec, facts, missing, scores)
    return found | {r.village: r for r in fresh}, fresh


def _begun(user):
    """The schemes the user can read whose year has begun."""
    return Scheme.objects.visible_to(user).filter(year__lte=today().year)


def default_year(user):
    """The newest year of _begun(user), else this year (the dashboards' and the village page's year
    when none is chosen)."""
    return _begun(user).aggregate(newest=Max("year"))["newest"] or today().year


def village_schemes(request, village):
    """The schemes that apply to `village` (loading.applicable: newest year first), read once per
    request in one query, each with `readable` (the user may read it) and `default_year`
    (default_year(user), read in the same query): the village page's scorecard and warning panels
    share them."""
    memo = request.__dict__.setdefault("_village_schemes", {})
    if village.pk not in memo:
        memo[village.pk] = latest_versions(compiled.rows(_schemes_above, *village.path.strip("/").split("/"), user=request.user))
    return memo[village.pk]


def _schemes_above(user, *codes):
    """Every version of the schemes issued by these divisions, with `readable` and `default_year`."""
    newest = Subquery(_begun(user).order_by("-year").values("year")[:1])
    return issued_by(codes, readable=Exists(Scheme.objects.visible_to(user).filter(pk=OuterRef("pk"))),
                     default_year=Coalesce(newest, Value(today().year), output_field=IntegerField()))


def village_result(request, scheme, village):
    """One village's live result by `scheme`, computed (or read from the stored results) once per
    request: the panels of the village page and the scorecard share it."""
    memo = request.__dict__.setdefault("_village_results", {})
    key = (scheme.pk, village.pk)
    if key not in memo:
        (memo[key],) = results(scheme, Division.objects.filter(pk=village.pk), rows=[(village.pk, village.code, village.name)])
    return memo[key]


def above_town(division):
    """Whether the villages under `division` span several towns (a county, city or province): its
    pages summarise them per town, with a drill-down to each town's villages."""
    return division.level in (Level.COUNTY, Level.CITY, Level.PROVINCE)


STATUSES = (PASSED, FAILED, VETOED, UNDETERMINED)


def town_summary(ranked, villages, bands=()):
    """One row per town of the ranked results of `villages` (the queryset they were computed for),
    in the order of the towns' codes: the number of villages, the number by result (达标, 未达标,
    否决, 待定), the average total of those scored, the number by star band, and the number of
    villages with incidents awaiting recognition that would count. `bands`: the scheme's band names,
    in the order the counts are listed. One query (the villages' towns)."""
    towns = {v: (code, name) for v, code, name in villages.values_list("id", "parent__code", "parent__name")}
    rows = {}
    for r in ranked:
        code, name = towns.get(r.village, ("", ""))
        row = rows.setdefault(code, {"code": code, "name": name, "villages": 0, "statuses": dict.fromkeys(STATUSES, 0),
                                     "scored": 0, "sum": 0.0, "bands": {}, "pending": 0})
        row["villages"] += 1
        row["statuses"][r.status] = row["statuses"].get(r.status, 0) + 1
        if r.status in (PASSED, FAILED):
            row["scored"] += 1
            row["sum"] += r.total
        if r.band:
            row["bands"][r.band] = row["bands"].get(r.band, 0) + 1
        if r.pending:
            row["pending"] += 1
    out = []
    for code in sorted(rows):
        row = rows[code]
        row["average"] = row["sum"] / row["scored"] if row["scored"] else None
        row["counts"] = [(status, row["statuses"][status]) for status in STATUSES]
        order = list(bands)
        row["bands"] = sorted(row["bands"].items(), key=lambda b: (order.index(b[0]) if b[0] in order else len(order), b[0]))
        out.append(row)
    return out


def incident_json(x):
    return {"id": x.id, "kind": x.kind, "kind_name": x.kind_name, "severity": x.severity, "title": x.title, "date": x.date.isoformat()}


def pending_json(result):
    """The village's unrecognised incidents that would veto or cost points once recognised."""
    return [
        {"incident": incident_json(p.incident), "vetoes": [v.code for v in p.vetoes], "indicators": [i.code for i in p.indicators],
         "consequence": p.consequence}
        for p in result.pending
    ]


def as_json(result):
    return {
        "village": result.code,
        "name": result.name,
        "total": result.total,
        "status": result.status,
        "band": result.band,
        "rank": result.rank,
        "undetermined": result.undetermined,
        "indicators": [
            {"code": i.code, "title": i.title, "category": i.category, "points": i.points, "awarded": i.awarded,
             "measured": i.measured, "target": i.target, "reason": i.reason}
            for i in result.indicators
        ],
        "vetoes": [
            {"code": v.code, "title": v.title, "incidents": [incident_json(x) for x in v.incidents]}
            for v in result.vetoes
        ],
        "pending": pending_json(result),
    }


def manual_scores(scheme, villages):
    """{(village id, indicator): (points, reason)} for the engine, in one query."""
    rows = ManualScore.objects.filter(scheme=scheme, village__in=villages).values_list("village", "indicator", "points", "reason")
    return {(village, indicator): (points, reason) for village, indicator, points, reason in rows}


def save_manual_score(scheme, village, code, points, reason, user):
    indicator = next((i for i in scheme.spec.indicators() if i.code == code and kind_of(i.rule).manual), None)
    if indicator is None:
        raise ValidationError(f"指标 {code} 不是本方案的人工评分项")
    if not 0 <= points <= indicator.points:
        raise ValidationError(f"得分应在 0 到 {figure(indicator.points)} 之间")
    if points < indicator.points and not reason.strip():
        raise ValidationError("扣分时须写明理由")
    with transaction.atomic():
        # An evaluation has now used this version: from here on, loading the scheme makes a new one.
        Scheme.objects.filter(pk=scheme.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        score, _ = ManualScore.objects.select_for_update().get_or_create(
            scheme=scheme, village=village, indicator=code, defaults={"points": points, "reason": reason, "scored_by": user}
        )
        before = [score.points, score.reason] if score.scored_by_id and (score.points, score.reason) != (points, reason) else [None, None]
        score.points, score.reason, score.scored_by = points, reason, user
        score.save()
        record("update", score, actor=user, object_repr=f"{scheme.name} {village.name} {code} 人工评分",
               changes={"points": [before[0], points], "reason": [before[1], reason]})
    return score

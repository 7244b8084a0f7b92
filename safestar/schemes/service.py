"""Evaluating a scheme for the villages under a division: gather the facts, run the engine, rank."""

from safestar.org.models import Division

from .engine import evaluate, rank
from .facts import gather
from .scoring import manual_scores


def villages_under(division, queryset=None):
    queryset = queryset if queryset is not None else Division.objects.all()
    return queryset.filter(level="village", path__startswith=division.path).order_by("code")


def results(scheme, villages, manual=None):
    """Ranked results for `villages` (a Division queryset, already scoped by the caller), with the
    manual scores given so far (and `manual` on top, e.g. from the command line)."""
    rows = list(villages.values_list("id", "code", "name"))
    facts = gather(scheme.spec, scheme.year, villages)
    scores = manual_scores(scheme, villages) | (manual or {})
    return rank(evaluate(scheme.spec, facts, rows, scores))


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
            {"code": v.code, "title": v.title, "incidents": [
                {"id": x.id, "kind": x.kind, "kind_name": x.kind_name, "severity": x.severity, "title": x.title, "date": x.date.isoformat()}
                for x in v.incidents
            ]}
            for v in result.vetoes
        ],
    }

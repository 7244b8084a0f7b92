"""Gathering the facts a scheme needs for a set of villages, with a fixed number of set-based
queries: one per metric, one per (ledger, kind) of record rules, one for the incidents (two when
the scheme counts key-person incidents, which key-person links add). The
number of queries does not grow with the number of villages."""

from django.db.models import Count, Max

from safestar.core.ledger import LEDGERS
from safestar.core.metrics import METRICS
from safestar.incidents.models import Incident

from .engine import Facts, IncidentFact

KEY_PERSON_INCIDENT = "key_person_incident"  # the kind that key-person links (keypersons.IncidentLink) also count as


def needs(spec):
    """(metrics, record groups, incident kinds) the scheme reads."""
    metrics, groups, kinds = set(), set(), set()
    for indicator in spec.indicators():
        rule = indicator.rule
        if rule.type == "threshold":
            metrics.add(rule.metric)
        elif rule.type == "records":
            groups.add((rule.ledger, rule.kind))
        elif rule.type == "zero_incidents":
            kinds.update(rule.kinds)
    for veto in spec.vetoes:
        kinds.update(veto.kinds)
    return metrics, groups, kinds


def record_stats(ledger, kind, year, villages):
    """{village id: (records in the year, date of the latest)} for one ledger (and kind)."""
    records = ledger.model.objects.alive().filter(division__in=villages, **{f"{ledger.date_field}__year": year})
    if kind is not None:
        records = records.filter(**{ledger.kind_field: kind})
    rows = records.values("division").annotate(n=Count("id"), last=Max(ledger.date_field)).values_list("division", "n", "last")
    return {village: (n, last) for village, n, last in rows}


def gather(spec, year, villages):
    """villages: a queryset of Division (the villages to evaluate)."""
    metrics, groups, kinds = needs(spec)
    facts = Facts(year=year)
    for name in sorted(metrics):
        metric = METRICS.get(name)
        if metric is not None:  # an unknown metric stays missing: the indicator is 待定
            facts.metrics[name] = metric.compute(year, villages)
            facts.metric_info[name] = (metric.label, metric.unit, metric.absent_as_zero)
    for slug, kind in sorted(groups, key=str):
        ledger = LEDGERS.get(slug)
        if ledger is not None and ledger.date_field:
            facts.records[(slug, kind)] = record_stats(ledger, kind, year, villages)
            label = dict(ledger.field(ledger.kind_field).flatchoices).get(kind, kind) if kind else ""
            facts.record_labels[(slug, kind)] = f"{ledger.title}" + (f"中“{label}”" if label else "")
    facts.incidents = incident_facts(year, villages, kinds)
    return facts


def incident_facts(year, villages, kinds):
    """{village id: [IncidentFact]}: the recognised incidents of the year of the given kinds, plus
    those linked to a key person (肇事肇祸) when the scheme counts key-person incidents."""
    found = {}
    if not kinds:
        return found
    rows = (
        Incident.objects.alive()
        .filter(recognised=True, occurred_on__year=year, division__in=villages, kind__code__in=kinds)
        .values_list("id", "division", "kind__code", "kind__name", "severity", "title", "occurred_on")
        .order_by("occurred_on", "id")
    )
    for pk, village, code, name, severity, title, date in rows:
        found.setdefault(village, []).append(IncidentFact(pk, code, name, severity, title, date))
    if KEY_PERSON_INCIDENT in kinds:  # an incident caused by a key person counts as one, whatever its kind
        linked = (
            Incident.objects.alive()
            .filter(recognised=True, occurred_on__year=year, division__in=villages, key_person_links__isnull=False)
            .exclude(kind__code=KEY_PERSON_INCIDENT).distinct()
            .values_list("id", "division", "kind__name", "severity", "title", "occurred_on")
            .order_by("occurred_on", "id")
        )
        for pk, village, name, severity, title, date in linked:
            found.setdefault(village, []).append(IncidentFact(pk, KEY_PERSON_INCIDENT, f"重点人员肇事肇祸（{name}）", severity, title, date))
    return found

"""Gathering the facts a scheme needs for a set of villages, with a fixed number of set-based
queries: one per metric, one per ledger of record rules (the kinds of records they count side by
side), one for the incidents (two when the scheme counts key-person incidents, which key-person
links add). The number of queries does not grow with the number of villages.

What a scheme needs is declared by its rules' kinds (kinds/, `needs`) and its vetoes; `plan()` turns
that into the list of queries, which `gather()` runs to build the Facts and the benchmark
(safestar/bench) times bare: one query plan for both."""

import contextlib
from functools import partial

from django.db.models import Count, Max, Q

from safestar.core.ledger import LEDGERS
from safestar.core.metrics import METRICS, REGISTERS, batched
from safestar.incidents.models import Incident
from safestar.nilreturns.models import NilReturn

from .engine import Facts, IncidentFact
from .kinds import Needs, kind_of

KEY_PERSON_INCIDENT = "key_person_incident"  # the kind that key-person links (keypersons.IncidentLink) also count as


def needs(spec):
    """The Needs (metrics, record groups, incident kinds) the scheme reads."""
    need = Needs()
    for indicator in spec.indicators():
        kind_of(indicator.rule).needs(indicator.rule, need)
    for veto in spec.vetoes:
        if veto.kinds:
            need.incident_kinds.update(veto.kinds)
        else:  # a severity-only veto: every kind, of these severities
            need.incident_severities.update(veto.severities)
    return need


def record_stats(ledger, kinds, year, villages):
    """{kind: {village id: (records in the year, date of the latest)}} for one ledger and the kinds of
    its records the scheme counts (None: all of them), in ONE query: a count and a latest date per
    kind, each filtered to its kind."""
    records = ledger.model.objects.alive().filter(division__in=villages, **{f"{ledger.date_field}__year": year})
    if None not in kinds:
        records = records.filter(**{f"{ledger.kind_field}__in": kinds})
    columns = {}
    for i, kind in enumerate(kinds):
        only = Q() if kind is None else Q(**{ledger.kind_field: kind})
        columns |= {f"n{i}": Count("id", filter=only), f"last{i}": Max(ledger.date_field, filter=only)}
    found = {kind: {} for kind in kinds}
    for row in records.values("division").annotate(**columns).values("division", *columns):
        for i, kind in enumerate(kinds):
            if row[f"n{i}"]:
                found[kind][row["division"]] = (row[f"n{i}"], row[f"last{i}"])
    return found


def plan(spec, year, villages):
    """[(fetch, keep)]: the queries the scheme needs, in order; fetch() runs one and returns its rows,
    keep(facts, rows) puts them into the Facts. An unknown metric or ledger has no query: what needs
    it stays missing and is 待定."""
    need = needs(spec)
    steps = []
    for name in sorted(need.metrics):
        metric = METRICS.get(name)
        if metric is not None:
            steps.append((partial(metric.compute, year, villages), partial(_keep_metric, metric)))
    kinds = {}  # ledger → the kinds of its records counted: one query per ledger
    for slug, kind in sorted(need.records, key=str):
        ledger = LEDGERS.get(slug)
        if ledger is not None and ledger.date_field:
            kinds.setdefault(ledger, []).append(kind)
    for ledger, counted in kinds.items():
        steps.append((partial(record_stats, ledger, tuple(counted), year, villages), partial(_keep_records, ledger)))
    registers = sorted(r for r in need.registers if r in REGISTERS)
    for name in registers:
        steps.append((partial(REGISTERS[name].compute, year, villages), partial(_keep_register, REGISTERS[name])))
    if registers:
        steps.append((partial(nil_returns, year, villages, registers), _keep_nil_returns))
    steps.append((partial(incident_facts, year, villages, need.incident_kinds, need.incident_severities), _keep_incidents))
    # The incidents recorded but not (yet) recognised that would count once recognised (待认定).
    steps.append((partial(incident_facts, year, villages, need.incident_kinds, need.incident_severities, False), _keep_pending))
    return steps


def _keep_metric(metric, facts, values):
    facts.metrics[metric.name] = values
    facts.metric_info[metric.name] = (metric.label, metric.unit, metric.absent_as_zero)


def _keep_records(ledger, facts, stats):
    for kind, counts in stats.items():
        facts.records[(ledger.slug, kind)] = counts
        label = dict(ledger.field(ledger.kind_field).flatchoices).get(kind, kind) if kind else ""
        facts.record_labels[(ledger.slug, kind)] = f"{ledger.title}" + (f"中“{label}”" if label else "")


def _keep_register(register, facts, counts):
    facts.evidence.setdefault(register.name, set()).update(counts)
    facts.register_labels[register.name] = register.label


def nil_returns(year, villages, registers):
    """[(register, village id)]: the nil returns (零报告) filed for the year."""
    rows = NilReturn.objects.alive().filter(year=year, subject__in=registers, division__in=villages)
    return list(rows.values_list("subject", "division").distinct())


def _keep_nil_returns(facts, rows):
    for register, village in rows:
        facts.evidence.setdefault(register, set()).add(village)


def _keep_incidents(facts, incidents):
    facts.incidents = incidents


def _keep_pending(facts, incidents):
    facts.pending = incidents


def gather(spec, year, villages, together=False):
    """villages: a queryset of Division (the villages to evaluate), or a list of their ids (for a few
    villages: see services.results). together: the metrics that count records (per_village) are read
    in one query (core/metrics.py batched()), for a few villages (a page scoring one village)."""
    facts = Facts(year=year)
    with batched() if together else contextlib.nullcontext():
        fetched = [(keep, fetch()) for fetch, keep in plan(spec, year, villages)]
        for keep, rows in fetched:
            keep(facts, rows)
    return facts


def incident_facts(year, villages, kinds, severities=(), recognised=True):
    """{village id: [IncidentFact]}: the recognised incidents of the year of the given kinds, and of
    any kind at the given severities (severity-only vetoes), plus those linked to a key person
    (肇事肇祸) when the scheme counts key-person incidents. recognised=False: those not (yet)
    recognised instead, which would count once they are (待认定)."""
    found = {}
    if not kinds and not severities:
        return found
    wanted = Q(kind__code__in=kinds) | Q(severity__in=severities) if severities else Q(kind__code__in=kinds)
    rows = (
        Incident.objects.alive()
        .filter(wanted, recognised=recognised, occurred_on__year=year, division__in=villages)
        .values_list("id", "division", "kind__code", "kind__name", "severity", "title", "occurred_on")
        .order_by("occurred_on", "id")
    )
    for pk, village, code, name, severity, title, date in rows:
        found.setdefault(village, []).append(IncidentFact(pk, code, name, severity, title, date))
    if KEY_PERSON_INCIDENT in kinds:  # an incident caused by a key person counts as one, whatever its kind
        linked = (
            Incident.objects.alive()
            .filter(recognised=recognised, occurred_on__year=year, division__in=villages, key_person_links__isnull=False)
            .exclude(kind__code=KEY_PERSON_INCIDENT).distinct()
            .values_list("id", "division", "kind__name", "severity", "title", "occurred_on")
            .order_by("occurred_on", "id")
        )
        for pk, village, name, severity, title, date in linked:
            found.setdefault(village, []).append(IncidentFact(pk, KEY_PERSON_INCIDENT, f"重点人员肇事肇祸（{name}）", severity, title, date))
    return found

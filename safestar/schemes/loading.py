"""Validating and loading schemes against what the system has, and finding the scheme that applies."""

from django.db import transaction


from safestar.audit.log import record
from safestar.core.ledger import LEDGERS
from safestar.core.metrics import METRICS, REGISTERS
from safestar.core.panels import LEDGER_MENU, NAVIGATION
from safestar.incidents.models import IncidentKind, Severity
from safestar.org.models import Division

from .models import Scheme
from .kinds import Names
from .validate import Context, parse


def context():
    ledgers = {}
    for slug, ledger in LEDGERS.items():
        kinds = set()
        if ledger.kind_field:
            field = ledger.field(ledger.kind_field)
            kinds = {str(v) for v, _ in field.flatchoices} if field.choices else set()
        ledgers[slug] = kinds
    return Context(
        metrics=set(METRICS),
        registers={name: r.label for name, r in REGISTERS.items()},
        ledgers=ledgers,
        incident_kinds=set(IncidentKind.objects.values_list("code", flat=True)),
        severities=set(Severity.values),
        divisions=set(Division.objects.exclude(level__in=["village", "grid"]).values_list("code", flat=True)),
        sources=tuple(entry.label for entry in NAVIGATION if entry.menu == LEDGER_MENU),
    )


def names():
    """The Chinese names of every code a rule may hold (kinds.Names): one query, for incident kinds."""
    kinds = {}
    for slug, ledger in LEDGERS.items():
        field = ledger.field(ledger.kind_field) if ledger.kind_field else None
        if field is not None and field.choices:
            kinds.update({(slug, str(value)): str(label) for value, label in field.flatchoices})
    return Names(
        metrics={code: m.label for code, m in METRICS.items()},
        ledgers={slug: ledger.title for slug, ledger in LEDGERS.items()},
        ledger_kinds=kinds,
        incident_kinds=dict(IncidentKind.objects.values_list("code", "name")),
        severities={value: str(label) for value, label in Severity.choices},
    )


def validate(text, filename):
    return parse(text, filename, context())


@transaction.atomic
def load(text, filename, user=None):
    """Store the scheme: replace the latest version if no evaluation has used it, else add a version.
    Returns (scheme, created_new_version)."""
    spec = validate(text, filename)
    issuer = Division.objects.get(code=spec.issuer)
    latest = Scheme.objects.filter(issuer=issuer, year=spec.year, star=spec.star).order_by("-version").first()
    values = {"name": spec.name, "content": spec.to_json(), "source": text, "source_name": filename[:200], "loaded_by": user}
    if latest is not None and latest.frozen_at is None:
        for key, value in values.items():
            setattr(latest, key, value)
        latest.save()
        record("update", latest, actor=user, object_repr=f"更新创建方案：{latest}", changes={"source": [None, filename]})
        return latest, False
    scheme = Scheme.objects.create(issuer=issuer, year=spec.year, star=spec.star, version=(latest.version + 1 if latest else 1), **values)
    record("create", scheme, actor=user, object_repr=f"载入创建方案：{scheme}", changes={"source": [None, filename]})
    return scheme, True


def applicable(division, year=None, **annotations):
    """The latest version of each scheme issued by `division` or a division above it (for `year`,
    or for every year), newest year first; `annotations` are added to each (QuerySet.annotate). Their
    YAML text (`source`, only the scheme's own page shows it) is not read."""
    schemes = issued_by(division.path.strip("/").split("/"), **annotations)
    return latest_versions(schemes if year is None else schemes.filter(year=year))


def issued_by(codes, **annotations):
    """Every version of the schemes issued by the divisions of these codes, for latest_versions()."""
    schemes = Scheme.objects.filter(issuer__code__in=codes).select_related("issuer").defer("source").annotate(**annotations)
    return schemes.order_by("-year", "star", "-version")


def latest_versions(schemes):
    """The latest version of each scheme of `schemes` (ordered as issued_by() orders them), newest year
    first, then the nearest issuer's."""
    latest = {}
    for scheme in schemes:
        latest.setdefault((scheme.year, scheme.star, scheme.issuer_id), scheme)
    return sorted(latest.values(), key=lambda s: (-s.year, -len(s.issuer.path), s.star))



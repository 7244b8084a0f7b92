"""摘星: when an incident is recognised late, a village whose star of that year it breaks loses the
star. The award stays in the history; the withdrawal is a new record naming the incident."""

from safestar.schemes.engine import PASSED

from .models import Entry, StarRecord
from .services import _star, entry_result
from safestar.core.numbers import figure


def on_incident_recognised(sender, incident, user, **kwargs):
    year = incident.occurred_on.year
    awarded = StarRecord.objects.filter(village_id=incident.division_id, year=year).order_by("-id").first()
    if awarded is None or awarded.action != StarRecord.Action.AWARDED:
        return
    entry = Entry.objects.select_related("round__scheme", "village").get(round=awarded.round, village_id=incident.division_id)
    result = entry_result(entry)  # the engine, with the incident now recognised
    hits = [v for v in result.vetoes if any(x.id == incident.pk for x in v.incidents)]
    if result.status == PASSED and not hits:
        return  # the incident breaks nothing this scheme vetoes or scores
    why = f"否决：{hits[0].title}" if hits else f"重新计算为{result.status}（{figure(result.total)}分）"
    _star(entry, user, StarRecord.Action.WITHDRAWN, reason=f"{incident.occurred_on:%Y-%m-%d} {incident.title} 经认定，{why}", incident=incident)


def on_recognition_withdrawn(sender, incident, user, **kwargs):
    """The recognition of the incident that cost a village its star is withdrawn: if the village
    passes without it, the star is given back (a new record; the award and the withdrawal stay)."""
    last = StarRecord.objects.filter(village_id=incident.division_id, year=incident.occurred_on.year).order_by("-id").first()
    if last is None or last.action != StarRecord.Action.WITHDRAWN or last.incident_id != incident.pk:
        return
    entry = Entry.objects.select_related("round__scheme", "village").get(round=last.round, village_id=incident.division_id)
    if entry.status != Entry.Status.RECOGNISED:
        return  # unlocked meanwhile: the new recognition decides
    result = entry_result(entry)
    if result.status == PASSED:
        _star(entry, user, StarRecord.Action.AWARDED, band=result.band,
              reason=f"撤销对“{incident.title}”的认定后重新计算为达标（{figure(result.total)} 分）", incident=incident)

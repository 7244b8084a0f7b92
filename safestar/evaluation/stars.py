"""摘星: when an incident is recognised late, a village whose star of that year it breaks loses the
star. The award stays in the history; the withdrawal is a new record naming the incident."""

from safestar.schemes.engine import PASSED

from .models import Entry, StarRecord
from .workflow import _star, entry_result


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
    why = f"否决：{hits[0].title}" if hits else f"重新计算为{result.status}（{result.total:g}分）"
    _star(entry, user, StarRecord.Action.WITHDRAWN, reason=f"{incident.occurred_on:%Y-%m-%d} {incident.title} 经认定，{why}", incident=incident)

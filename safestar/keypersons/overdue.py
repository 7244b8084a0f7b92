"""Follow-up visits that are due: each category has its interval, a person in several categories is
visited as often as the strictest one asks. The next visit is due the interval after the last one
(or after registration, for a person never visited). Computed for many persons in one query."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Min, Q

from safestar.core.clock import today

from .models import KeyPerson


@dataclass
class Due:
    person: KeyPerson
    last_visit: datetime.date | None
    interval: int
    due: datetime.date

    @property
    def days_overdue(self):
        return (today() - self.due).days


def with_due(queryset, as_of=None):
    """Managed persons of `queryset` annotated with their last visit (up to `as_of`) and interval."""
    as_of = as_of or today()
    return queryset.managed().annotate(
        last_visit=Max("visits__visited_on", filter=Q(visits__deleted_at__isnull=True, visits__visited_on__lte=as_of)),
        interval=Min("categories__visit_interval_days"),
    )


def due_of(person):
    registered = person.created_at.date()
    interval = person.interval or 30
    return (person.last_visit or registered) + datetime.timedelta(days=interval)


def overdue(queryset, as_of=None):
    """[Due] for the managed persons of `queryset` whose next visit was due before `as_of` (today),
    most overdue first. One query."""
    as_of = as_of or today()
    rows = with_due(queryset.select_related("division", "responsible"), as_of)
    found = [Due(p, p.last_visit, p.interval or 30, due_of(p)) for p in rows]
    return sorted((d for d in found if d.due < as_of), key=lambda d: (d.due, d.person.pk))

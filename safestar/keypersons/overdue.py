"""Follow-up visits that are due: each category has its interval, a person in several categories is
visited as often as the strictest one asks. The next visit is due the interval after the last one
(or after registration, 登记日期, for a person never visited); a person is overdue on a day when that
due date lies before it.

Everything is decided in the database, as of a day (today, or a year's end for the metric): who was
registered and 在管 on that day (core/states.py), their last alive visit up to that day, the shortest
interval of their categories. Counting needs no model object and no decryption; the overdue page
builds objects only for the persons it lists.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Func, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from safestar.clock import today
from safestar.core.states import as_of

from .models import KeyPerson, Status, Visit

DEFAULT_INTERVAL = 30  # days, for a person whose categories name none


class Days(Func):
    """A date as a whole number of days, so that date differences compare with a column (the
    interval) on SQLite and PostgreSQL alike."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '2000-01-01')", **extra)


@dataclass
class Due:
    person: KeyPerson
    last_visit: datetime.date | None
    interval: int
    due: datetime.date

    @property
    def days_overdue(self):
        return (today() - self.due).days


def managed_on(queryset, day):
    """The alive persons of `queryset` registered by `day` and 在管 on `day`."""
    persons = queryset.alive().filter(registered_on__lte=day)
    return as_of(persons, day, "status").filter(asof_status=Status.MANAGED)


def with_due(queryset, as_of_day=None):
    """Persons of `queryset` managed on `as_of_day` (today), annotated with their last visit up to
    that day, their interval and the day number of their next visit's due date minus that day."""
    day = as_of_day or today()
    return _due(managed_on(queryset, day), day)


def due_on(queryset, day):
    """The alive persons of `queryset`, managed or not, annotated as with_due() (and with their status
    as of `day`, `asof_status`), with overdue_q(day) saying which are overdue on `day`: for a query
    that selects the overdue persons and others at once (dashboards/signs.py)."""
    return _due(as_of(queryset.alive(), day, "status"), day)


def overdue_q(day):
    """Of persons annotated by due_on(queryset, day): those overdue on `day` (as overdue_on)."""
    return Q(registered_on__lte=day, asof_status=Status.MANAGED, days_late__gt=0)


def is_overdue(person, day):
    """overdue_q(day) of one person read by due_on(queryset, day), from its annotations: a query that
    selects the overdue persons and others at once need not compile the condition twice."""
    return (person.registered_on <= day and person.asof_status == Status.MANAGED
            and person.days_late is not None and person.days_late > 0)


def _due(persons, day):
    last = (
        Visit.objects.filter(person=OuterRef("pk"), deleted_at__isnull=True, visited_on__lte=day)
        .order_by().values("person").annotate(last=Max("visited_on")).values("last")
    )
    strictest = (
        KeyPerson.categories.through.objects.filter(keyperson=OuterRef("pk"))
        .order_by().values("keyperson").annotate(days=Min("category__visit_interval_days")).values("days")
    )
    return persons.annotate(
        last_visit=Subquery(last),
        interval=Coalesce(Subquery(strictest), Value(DEFAULT_INTERVAL)),
        # > 0: the next visit was due before `day` (the last visit, or registration, plus the interval)
        days_late=Days(Value(day)) - Days(Coalesce(F("last_visit"), F("registered_on"))) - F("interval"),
    )


def overdue_on(queryset, day=None):
    """The persons of `queryset` whose visit is overdue on `day` (today): a queryset, one query."""
    return with_due(queryset, day).filter(days_late__gt=0)


def due_of(person):
    """The due date of a person annotated by with_due()."""
    return (person.last_visit or person.registered_on) + datetime.timedelta(days=person.interval or DEFAULT_INTERVAL)


def overdue(queryset, as_of_day=None):
    """[Due] for the persons of `queryset` overdue on `as_of_day` (today), most overdue first. One query."""
    rows = overdue_on(queryset.select_related("division", "responsible"), as_of_day)
    found = [Due(p, p.last_visit, p.interval, due_of(p)) for p in rows]
    return sorted(found, key=lambda d: (d.due, d.person.pk))


def home_overdue(user):
    """How many of the people this user may see (a 包案人: their own) wait for a visit, for the home
    page; None for roles without access to the registry. One counting query."""
    from safestar.core.scope import can_read

    if not can_read(KeyPerson, user):
        return None
    return overdue_on(KeyPerson.objects.visible_to(user)).count()

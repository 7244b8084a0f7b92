"""What can be done with work reports: set a requirement, open a village's report for a period (its
ledger counts pre-filled), edit, submit, accept or return it (each status change a step of the
transition table), and the timeliness of every village for a period, for pages and dashboards."""

from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from safestar.audit.log import record
from safestar.clock import today
from safestar.core.ledger import LEDGERS
from safestar.core.saving import save_form
from safestar.core.scope import can_read
from safestar.core.transitions import Refused, perform
from safestar.org.models import Department, Division
from safestar.org.roles import Level, can

from .models import EDITABLE, Report, Reporters, Requirement, Timeliness, judge


def countable_ledgers():
    """[(slug, title)] of the ledgers a report can count: those whose records carry a date."""
    return sorted(((slug, ledger.title) for slug, ledger in LEDGERS.items() if ledger.date_field), key=lambda item: item[0])


def ledger_title(slug):
    ledger = LEDGERS.get(slug)
    return ledger.title if ledger else slug


def villages(requirement):
    """The villages that report to `requirement`: every village under its issuer."""
    return Division.objects.filter(level=Level.VILLAGE, path__startswith=requirement.issuer.path).order_by("code")


def departments(requirement):
    """The departments that report to `requirement`: every department set up in its issuer's area."""
    return Department.objects.filter(division__path__startswith=requirement.issuer.path).select_related("division").order_by(
        "division__code", "name")


def define(form, user):
    if not can(user, "reports.define"):
        raise Refused("只有镇平安办或县政法委可以下达工作汇报要求。")
    return save_form(form, user, ["title", "year", "period", "reporters", "due_days", "ledgers", "instructions"],
                     values={"issuer": user.division})


def ledger_counts(requirement, village, number):
    """{ledger slug: records of `village` dated in period `number`} (one query per counted ledger)."""
    start, end, _ = requirement.bounds(number)
    result = {}
    for slug in requirement.ledgers:
        ledger = LEDGERS.get(slug)
        if ledger is None or not ledger.date_field:
            continue
        rows = ledger.model.objects.alive().filter(division=village, **{f"{ledger.date_field}__range": (start, end)})
        result[slug] = rows.count()
    return result


def open_report(requirement, reporter, number, user):
    """The report of `reporter` (a village, or a department) for period `number`: the existing one, or
    a new draft, a village's with the counts of its ledgers for the period filled in. Refused when
    the period or the reporter is not the requirement's."""
    if not can(user, "reports.write"):
        raise Refused("只有本村村干部、网格员或报送部门可以填写工作汇报。")
    if not 1 <= number <= requirement.count:
        raise Refused(f"“{requirement}”没有第 {number} 期。")
    is_department = isinstance(reporter, Department)
    division = reporter.division if is_department else reporter
    wanted = Reporters.DEPARTMENTS if is_department else Reporters.VILLAGES
    if requirement.reporters != wanted or not division.path.startswith(requirement.issuer.path) or (
            not is_department and division.level != Level.VILLAGE):
        raise Refused(f"{reporter.name}不在“{requirement}”的报送范围内（报送对象：{requirement.get_reporters_display()}）。")
    who = {"department": reporter} if is_department else {"village": reporter}
    existing = Report.objects.filter(requirement=requirement, number=number, **who).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = Report.objects.create(requirement=requirement, division=division, number=number, created_by=user, updated_by=user,
                                           counts={} if is_department else ledger_counts(requirement, reporter, number), **who)
            record("create", report, actor=user, changes={"counts": [None, report.counts]})
    except IntegrityError:  # opened by someone else of the same reporter a moment ago
        return Report.objects.get(requirement=requirement, number=number, **who)
    return report


def edit(report, form, user, version, counts):
    """Save the counts and the text while the report is still being filled in (or was returned)."""
    return save_form(form, user, ["counts", "text"], version=version, where={"status__in": EDITABLE}, values={"counts": counts})


def submit(report, user, comment=""):
    return perform(report, "submit", user, comment=comment,
                   updates={"submitted_by": user, "first_submitted_on": Coalesce(F("first_submitted_on"), Value(today()))})


def accept(report, user, comment=""):
    return perform(report, "accept", user, comment=comment, updates={"reviewed_by": user, "reason": comment[:500]})


def return_report(report, user, reason):
    return perform(report, "return", user, comment=reason, updates={"reviewed_by": user, "reason": reason.strip()[:500]})


# -- timeliness ------------------------------------------------------------------------------------

def own_reporter(user, requirement):
    """What the user reports for to `requirement`: their village, or their department, or None."""
    if requirement.reporters == Reporters.DEPARTMENTS:
        return user.department if user.department_id else None
    return user.division if user.division.level == Level.VILLAGE else None


def reporters_of(requirement, user):
    """The villages (or departments) of the requirement the user reads: a department user only its own."""
    if requirement.reporters == Reporters.DEPARTMENTS:
        found = departments(requirement).filter(division__path__startswith=user.division.path)
        return found.filter(pk=user.department_id) if user.department_id else found
    return villages(requirement).filter(pk__in=Division.objects.visible_to(user).values("pk"))


def standing(requirement, number, user):
    """[(village or department, report or None, timeliness)] of every reporter of the requirement the
    user reads, for period `number`: two queries (the reporters, their reports)."""
    _, _, due = requirement.bounds(number)
    key = "department_id" if requirement.reporters == Reporters.DEPARTMENTS else "village_id"
    reports = {getattr(r, key): r for r in Report.objects.visible_to(user).filter(requirement=requirement, number=number)}
    rows = []
    for reporter in reporters_of(requirement, user):
        report = reports.get(reporter.pk)
        rows.append((reporter, report, judge(report.first_submitted_on if report else None, due)))
    return rows


def tally(rows):
    """{Timeliness: how many} of `standing` rows, every kind present."""
    counted = Counter(timeliness for _, _, timeliness in rows)
    return {kind: counted.get(kind, 0) for kind in Timeliness}


def current_number(requirement, day=None):
    """The period whose reports are now due or were due last: the latest one already ended (the first before any has)."""
    day = day or today()
    ended = [n for n, _, _, end, _ in requirement.periods() if end < day]
    return ended[-1] if ended else 1


def timeliness_summary(user, day=None):
    """For dashboards: [(requirement, number, period label, {Timeliness: count})] of the requirements of
    the user's scope for the current year, each at the period now due (a few queries per requirement)."""
    if not can_read(Requirement, user):
        return []
    day = day or today()
    result = []
    for requirement in Requirement.objects.visible_to(user).filter(year=day.year).select_related("issuer")[:5]:
        number = current_number(requirement, day)
        result.append((requirement, number, requirement.period_label(number), tally(standing(requirement, number, user))))
    return result

"""The scope walk: every URL pattern and API route, as anonymous, as a persona who may use it, for
an object in the neighbouring scope, and as a role that may not use it at all.

Every route must have an entry in ROUTES: a new view without one fails `test_every_route_is_walked`,
so nobody can add a page or an endpoint that skips the scope checks.
"""

from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import CHANGGANG, OTHER_COUNTY_VILLAGE, PINGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record
from safestar.core.ledger import LEDGERS


def _pk(model_path, **lookup):
    def resolve():
        from django.apps import apps

        return {"pk": apps.get_model(model_path).objects.get(**lookup).pk}

    return resolve


def _attempt(username):
    def resolve():
        from axes.models import AccessAttempt

        attempt = AccessAttempt.objects.create(
            username=username, ip_address="10.9.8.7", user_agent="x", http_accept="*/*", path_info="/login/",
            get_data="", post_data="", failures_since_start=5,
        )
        return {"pk": attempt.pk}

    return resolve


def _notice(username):
    """A notification of `username`'s (safestar/notices): only its recipient can mark it read."""

    def resolve():
        from safestar.notices.models import Notice
        from safestar.org.models import User

        user = User.objects.get(username=username)
        return {"pk": Notice.objects.create(recipient=user, key=f"walk:{user.pk}:{Notice.objects.count()}", kind="walk", title="测试").pk}

    return resolve


def _job(username):
    """A background job of `username`'s (core/background.py): only its own user sees its progress."""

    def resolve():
        from safestar.core.models import Job
        from safestar.org.models import User

        return {"pk": Job.objects.create(user=User.objects.get(username=username), title="导入", task="x").pk}

    return resolve


@dataclass
class Case:
    persona: str | None  # may use the route (None: public)
    own: dict | Callable = field(default_factory=dict)  # URL kwargs for an object in the persona's scope
    other: dict | Callable | None = None  # the same kind of object next door: 404 for the persona
    denied: str | None = None  # a persona whose role may not use the route: 404
    ok: int = 200
    method: str = "get"
    verified: bool = False  # the persona has passed two-factor authentication in this session
    body: dict | None = None  # JSON body (API writes): the scope is checked before validation
    query: dict | Callable | None = None  # query string for the persona's own call
    other_query: dict | None = None  # query string that points next door (instead of other kwargs)


ROUTES = {
    "login": Case(None),
    "logout": Case("village1", ok=302, method="post"),
    "home": Case("grid1"),
    "password-change": Case("grid1"),
    "my-division": Case("village1", ok=302, denied="auditor"),
    "division": Case("village1", {"code": VILLAGE1}, other={"code": VILLAGE2}, denied="auditor"),
    "division-edit": Case("town", {"code": VILLAGE1}, other={"code": PINGGANG_VILLAGE}, denied="village1"),
    "village-add": Case("town", {"code": CHANGGANG}, other={"code": PINGGANG}, denied="county"),
    "villages-export": Case("village1", {"code": VILLAGE1}, other={"code": VILLAGE2}, denied="auditor"),
    "villages-import": Case("town", denied="village1"),
    "job-status": Case("village1", _job("village1"), other=_job("village2"), denied="town"),
    "notices": Case("grid1"),
    "notices-bell": Case("grid1"),
    "notice-read": Case("village1", _notice("village1"), other=_notice("village2"), ok=302, method="post"),
    "notices-read-all": Case("village1", ok=302, method="post"),
    "notice-failures": Case("admin", denied="town"),
    "villages-template": Case("town", denied="taskforce"),
    "departments": Case("police", denied="auditor"),
    "department-add": Case("admin", denied="town"),
    "department-edit": Case(
        "admin2",
        _pk("org.Department", name="平岗镇司法所"),
        other=_pk("org.Department", name="长岗派出所"),
        denied="town",
    ),
    "accounts": Case("village1", denied="grid1"),
    "account-add": Case("village1", denied="police"),
    "account-edit": Case(
        "town", _pk("org.User", username="village1"), other=_pk("org.User", username="village3"), denied="grid1"
    ),
    "otp-verify": Case("grid1", ok=302),  # without an authenticator there is nothing to verify: home
    "otp-setup": Case("grid1"),
    "otp-recovery-codes": Case("town", method="post", verified=True, denied="village1"),
    "lockouts": Case("admin", denied="town"),
    "lockout-clear": Case("admin2", _attempt("village3"), other=_attempt("village1"), denied="town", ok=302, method="post"),
    "audit-events": Case("auditor", denied="admin"),
    "audit-export": Case("auditor", denied="town"),
    # The API: 401 without a token instead of the login page.
    "api:openapi-json": Case(None),  # the public description of the API, no data
    "api:api-root": Case(None, ok=404),  # ninja's anchor for reverse(); answers 404 to everyone
    "api:me": Case("grid1"),
    # dashboards (docs/dashboards.md): a town's, next door's is 404; roles without dashboards.view get 404
    "landing": Case("grid1", ok=302),
    "dashboard": Case("town", query={"division": CHANGGANG}, other_query={"division": PINGGANG}, denied="village1"),
    "dashboard-warnings": Case("taskforce", query={"division": CHANGGANG}, other_query={"division": PINGGANG}, denied="police"),
    "api:dashboard-data": Case("county", query={"division": CHANGGANG}, other_query={"division": "411423000000"}, denied="grid1"),
    "api:division": Case("village1", {"code": VILLAGE1}, other={"code": VILLAGE2}, denied="auditor"),
    "api:division_children": Case("town", {"code": CHANGGANG}, other={"code": PINGGANG}, denied="admin2"),
}


def _record(slug, code, **kw):
    return lambda: {"ledger": slug, "pk": make_record(slug, code).pk} | kw


def _pk_record(slug, code):
    return lambda: {"pk": make_record(slug, code).pk}


def _owner(slug, code):
    def resolve():
        from django.contrib.contenttypes.models import ContentType

        obj = make_record(slug, code)
        return {"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk}

    return resolve


def _attachment(slug, code):
    def resolve():
        from django.contrib.contenttypes.models import ContentType

        from safestar.core.models import Attachment
        from safestar.org.models import User

        obj = make_record(slug, code)
        attachment = Attachment.objects.create(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, name="现场.pdf", kind="pdf",
            size=9, sha256="0" * 64, uploaded_by=User.objects.get(username="grid1"),
        )
        attachment.path().parent.mkdir(parents=True, exist_ok=True)
        attachment.path().write_bytes(b"%PDF-1.7\n")
        return {"pk": attachment.pk}

    return resolve


def _scheme(issuer):
    def resolve():
        from conftest import load_scheme

        return {"pk": load_scheme(issuer).pk}

    return resolve


def _scorecard(code):
    return lambda: _scheme(CHANGGANG)() | {"code": code}


def _kind_pk():
    from safestar.incidents.models import IncidentKind

    return IncidentKind.objects.get(code="telecom_fraud").pk


def ledger_cases(slug):
    """The routes every ledger has, as the village cadre of 长岗村 against 杨庄村 next door."""
    own, other = _record(slug, VILLAGE1), _record(slug, VILLAGE2)
    return {
        "ledger-list": Case("village1", {"ledger": slug}, denied="auditor"),
        "ledger-add": Case("grid1", {"ledger": slug}, denied="taskforce"),
        "ledger-import": Case("village1", {"ledger": slug}, denied="county"),
        "ledger-template": Case("village1", {"ledger": slug}, denied="admin"),
        "ledger-export": Case("village1", {"ledger": slug}, denied="admin"),
        "ledger-detail": Case("village1", own, other=other, denied="auditor"),
        "ledger-edit": Case("grid1", own, other=other, denied="taskforce"),
        "ledger-delete": Case("grid1", own, other=other, denied="county"),
        "ledger-restore": Case("village1", own, other=other, denied="taskforce", ok=302, method="post"),
        "ledger-history": Case("village1", own, other=other, denied="admin"),
        "attachment-upload": Case("village1", _owner(slug, VILLAGE1), other=_owner(slug, VILLAGE2), denied="taskforce", ok=302, method="post"),
        "attachment-download": Case("village1", _attachment(slug, VILLAGE1), other=_attachment(slug, VILLAGE2), denied="auditor"),
        "attachment-delete": Case("village1", _attachment(slug, VILLAGE1), other=_attachment(slug, VILLAGE2), denied="taskforce", ok=302, method="post"),
        f"api:{slug}-list": Case("village1", denied="auditor"),
        f"api:{slug}-detail": Case("village1", _pk_record(slug, VILLAGE1), other=_pk_record(slug, VILLAGE2), denied="admin"),
        f"api:{slug}-create": Case("grid1", ok=422, method="post", body={}, denied="taskforce"),
        f"api:{slug}-update": Case("grid1", _pk_record(slug, VILLAGE1), other=_pk_record(slug, VILLAGE2), denied="taskforce", ok=422, method="put", body={}),
        f"api:{slug}-delete": Case("grid1", _pk_record(slug, VILLAGE1), other=_pk_record(slug, VILLAGE2), denied="county", ok=422, method="delete"),
    }


# Workflow routes of particular ledgers. The county's evaluator recognises incidents of 睢县; an
# incident in 宁陵县 next door is out of reach; a town office may not recognise at all.
WORKFLOW = {
    "incident-recognise": Case("county", _pk_record("incidents", VILLAGE1), other=_pk_record("incidents", OTHER_COUNTY_VILLAGE), denied="town", ok=302, method="post"),
    "incident-withdraw": Case("county", _pk_record("incidents", VILLAGE1), other=_pk_record("incidents", OTHER_COUNTY_VILLAGE), denied="village1"),
    "incident-kinds": Case("admin", denied="county"),
    "incident-queue": Case("county", denied="town"),
    "incident-kind-add": Case("admin", denied="town"),
    "incident-kind-edit": Case("admin", lambda: {"pk": _kind_pk()}, denied="village1"),
    "api:incident-kinds": Case("grid1"),
    # Schemes: 长岗镇's scheme is not 平岗镇's business; the police station (no evaluation field) sees
    # the standard but not the results.
    "schemes": Case("village1", denied="auditor"),
    "scheme": Case("village1", _scheme(CHANGGANG), other=_scheme(PINGGANG), denied="admin"),
    "scheme-export": Case("town", _scheme(CHANGGANG), other=_scheme(PINGGANG), denied="auditor"),
    "scheme-results": Case("town", _scheme(CHANGGANG), other=_scheme(PINGGANG), denied="police"),
    "scorecard": Case("village1", _scorecard(VILLAGE1), other=_scorecard(VILLAGE2), denied="police"),
    "api:evaluations": Case("town", lambda: _scheme(CHANGGANG)() and {"year": 2023}, query={"division": CHANGGANG},
                            other_query={"division": PINGGANG}, denied="police"),
    "api:incidents-recognise": Case("county", _pk_record("incidents", VILLAGE1), other=_pk_record("incidents", OTHER_COUNTY_VILLAGE), denied="town", method="post", body={}),
    "api:incidents-withdraw": Case("county", _pk_record("incidents", VILLAGE1), other=_pk_record("incidents", OTHER_COUNTY_VILLAGE), denied="police", method="post", body={"reason": "认定有误"}),
}


def _key_person(code, deleted=False):
    def resolve():
        from safestar.keypersons.tests.factories import key_person

        return {"pk": key_person(code, deleted=deleted).pk}

    return resolve


def _creation(factory, *args, **kw):
    def resolve():
        from safestar.creation.tests import factories

        return {"pk": getattr(factories, factory)(*args, **kw).pk}

    return resolve


def _category_pk():
    from safestar.keypersons.models import Category

    return Category.objects.get(code="drugs").pk


def _visit(code):
    def resolve():
        from safestar.keypersons.tests.factories import key_person, visit

        return {"pk": visit(key_person(code)).pk}

    return resolve


# The key-person registry: only the town office, departments for their categories, and the 包案人
# (village1 is 包案人 of the persons made in 长岗村, village2 of those in 杨庄村). Grid workers, the
# task force and the county's evaluators have no access at all.
_KP1, _KP2, _KP_OTHER_TOWN = _key_person(VILLAGE1), _key_person(VILLAGE2), _key_person(PINGGANG_VILLAGE)
KEY_PERSONS = {
    "key-persons": Case("village1", denied="grid1"),
    "key-person": Case("village1", _KP1, other=_KP2, denied="taskforce"),
    "key-person-reveal": Case("town", _KP1, other=_KP_OTHER_TOWN, denied="county"),
    "key-person-add": Case("police", denied="village1"),
    "key-person-edit": Case("police", _KP1, other=_KP_OTHER_TOWN, denied="village1"),
    "key-person-delete": Case("town", _KP1, other=_KP_OTHER_TOWN, denied="village1"),
    "key-person-restore": Case("town", _key_person(VILLAGE1, deleted=True), other=_key_person(PINGGANG_VILLAGE, deleted=True),
                               denied="village1", ok=302, method="post"),
    "key-person-visit-add": Case("village1", _KP1, other=_KP2, denied="grid1", ok=302, method="post"),
    "key-person-incident-link": Case("town", _KP1, other=_KP_OTHER_TOWN, denied="village1", ok=302, method="post"),
    "key-persons-overdue": Case("village1", denied="grid1"),
    "key-persons-export": Case("town", denied="village1"),
    "key-persons-import": Case("police", denied="village1"),
    "key-persons-template": Case("town", denied="village1"),
    "key-person-visits-import": Case("village1", denied="grid1"),
    "key-person-visits-template": Case("police", denied="grid1"),
    "key-person-categories": Case("admin", denied="town"),
    "key-person-category-add": Case("admin", denied="town"),
    "key-person-category-edit": Case("admin", lambda: {"pk": _category_pk()}, denied="police"),
    "api:key-persons-list": Case("village1", denied="grid1"),
    "api:key-persons-detail": Case("village1", _KP1, other=_KP2, denied="county"),
    "api:key-persons-reveal": Case("town", _KP1, other=_KP_OTHER_TOWN, denied="grid1", method="post", body={"reason": "走访前核对住址"}),
    "api:key-persons-create": Case("police", ok=422, method="post", body={}, denied="village1"),
    "api:key-persons-update": Case("town", _KP1, other=_KP_OTHER_TOWN, denied="village1", ok=422, method="put", body={}),
    "api:key-person-visits-list": Case("village1", denied="grid1"),
    "api:key-person-visits-detail": Case("village1", _visit(VILLAGE1), other=_visit(VILLAGE2), denied="taskforce"),
    "api:key-person-visits-create": Case("village1", ok=422, method="post", body=lambda: {"person": _KP1()["pk"]}, denied="grid1"),
}

# Creation and supervision: 长岗村 against 杨庄村 for the village, 长岗镇 against 平岗镇 for the town.
def _leadership(village):
    def resolve():
        import datetime

        from safestar.creation.models import Leadership
        from safestar.org.models import Division, User

        town = Division.objects.get(code=village).parent
        leader = User.objects.filter(division=town, role="town").first()
        return {"pk": Leadership.objects.create(village=Division.objects.get(code=village), leader=leader, position="副镇长",
                                                since=datetime.date(2023, 1, 1)).pk}

    return resolve


# The police station does not share the creation field: it sees campaigns (it runs them), nothing else.
_APP, _APP2 = _creation("application", VILLAGE1), _creation("application", VILLAGE2)
_TASK, _TASK2 = _creation("task", VILLAGE1), _creation("task", VILLAGE2)
_INSP, _INSP2 = _creation("inspection", CHANGGANG), _creation("inspection", PINGGANG)
_FINDING, _FINDING2 = _creation("finding", VILLAGE1), _creation("finding", VILLAGE2)
_PLAN, _PLAN2 = _creation("plan", VILLAGE1), _creation("plan", VILLAGE2)
_CAMPAIGN, _CAMPAIGN2 = _creation("campaign", CHANGGANG), _creation("campaign", PINGGANG)
CREATION = {
    "applications": Case("village1", denied="auditor"),
    "application-add": Case("village1", denied="grid1"),
    "applications-export": Case("town", denied="admin"),
    "applications-confirm": Case("town", denied="taskforce"),
    "leaders": Case("town", query={"town": CHANGGANG}, other_query={"town": PINGGANG}, denied="village1"),
    "leader-remove": Case("town", _leadership(VILLAGE1), other=_leadership(PINGGANG_VILLAGE), denied="taskforce", ok=302, method="post"),
    "application": Case("village1", _APP, other=_APP2, denied="police"),
    "application-decide": Case("town", _creation("application", VILLAGE1, status="applied"),
                               other=_creation("application", PINGGANG_VILLAGE, status="applied"), denied="village1", ok=302, method="post"),
    "task-add": Case("town", _APP, other=_creation("application", PINGGANG_VILLAGE), denied="taskforce"),
    "task": Case("village1", _TASK, other=_TASK2, denied="police"),
    "task-edit": Case("grid1", _TASK, other=_TASK2, denied="taskforce"),
    "task-transition": Case("village1", _TASK, other=_TASK2, denied="auditor", ok=302, method="post"),
    "inspections": Case("town", denied="police"),
    "inspection-add": Case("town", denied="taskforce"),
    "inspection": Case("town", _INSP, other=_INSP2, denied="police"),
    "inspection-hold": Case("town", _creation("inspection", CHANGGANG, held=False), other=_creation("inspection", PINGGANG, held=False),
                            denied="taskforce", ok=302, method="post"),
    "finding-add": Case("town", _INSP, other=_INSP2, denied="taskforce"),
    "inspection-notice": Case("town", _INSP, other=_INSP2, denied="police"),
    "finding": Case("village1", _FINDING, other=_FINDING2, denied="police"),
    "rectifications": Case("village1", denied="auditor"),
    "rectification": Case("village1", _PLAN, other=_PLAN2, denied="police"),
    "rectification-edit": Case("village1", _PLAN, other=_PLAN2, denied="taskforce"),
    "rectification-progress": Case("grid1", _PLAN, other=_PLAN2, denied="taskforce", ok=302, method="post"),
    "rectification-transition": Case("village1", _PLAN, other=_PLAN2, denied="auditor", ok=302, method="post"),
    "rectification-notice": Case("village1", _PLAN, other=_PLAN2, denied="police"),
    "campaigns": Case("police", denied="auditor"),
    "campaign-add": Case("town", denied="police"),
    "campaign": Case("police", _CAMPAIGN, other=_CAMPAIGN2, denied="admin"),
    "campaign-transition": Case("police", _CAMPAIGN, other=_CAMPAIGN2, denied="village1", ok=302, method="post"),
    "my-todo": Case("grid1", denied="auditor"),
    "weekly": Case("town", {"code": CHANGGANG}, other={"code": PINGGANG}, denied="auditor"),
    "api:applications-list": Case("village1", denied="auditor"),
    "api:applications-detail": Case("village1", _APP, other=_APP2, denied="police"),
    "api:tasks-list": Case("grid1", denied="admin"),
    "api:tasks-detail": Case("grid1", _TASK, other=_TASK2, denied="police"),
    "api:inspections-list": Case("town", denied="auditor"),
    "api:inspections-detail": Case("town", _INSP, other=_INSP2, denied="police"),
    "api:findings-list": Case("village1", denied="auditor"),
    "api:findings-detail": Case("village1", _FINDING, other=_FINDING2, denied="police"),
    "api:rectifications-list": Case("village1", denied="auditor"),
    "api:rectifications-detail": Case("village1", _PLAN, other=_PLAN2, denied="police"),
    "api:campaigns-list": Case("police", denied="auditor"),
    "api:campaigns-detail": Case("police", _CAMPAIGN, other=_CAMPAIGN2, denied="admin"),
}


def _open_round(town, published=False):
    """The 2023 round of a town (opened once; the scheme issued by that town)."""
    import datetime

    from conftest import load_scheme
    from safestar.evaluation import services
    from safestar.evaluation.models import Round
    from safestar.org.models import Division, User

    round = Round.objects.filter(area__code=town).first()
    if round is None:
        from safestar.creation.tests.factories import confirmed_applications

        d = datetime.date(2024, 1, 31)
        scheme = load_scheme(town)
        confirmed_applications(scheme, town)  # the town's villages are its 创建主体
        round = services.open_round(scheme, Division.objects.get(code=town), d, d, d, User.objects.get(username="county"))
    if published:
        Round.objects.filter(pk=round.pk).update(status=Round.Status.PUBLISHED, publish_start=datetime.date(2024, 3, 1),
                                                 publish_end=datetime.date(2024, 3, 7))
    return round


def _round(town, published=False, **kw):
    return lambda: {"pk": _open_round(town, published).pk} | kw


def _document_job(username, town):
    """A finished report job of `username`'s (evaluation/views.py document_job): only its own user sees it."""

    def resolve():
        import json

        from safestar.core.models import Job
        from safestar.evaluation.views import document_job
        from safestar.org.models import User

        result = {"round": _open_round(town).pk, "kind": "report-docx", "type": "text/plain",
                  "disposition": 'attachment; filename="r.txt"', "content": "MQ=="}
        return {"job": Job.objects.create(user=User.objects.get(username=username), title="生成报告", task=document_job.module_path,
                                          status=Job.Status.DONE, payload=json.dumps(result)).pk}

    return resolve


def _entry(village, **kw):
    def resolve():
        from safestar.evaluation.models import Entry

        _open_round(village[:9] + "000")
        return {"pk": Entry.objects.get(village__code=village).pk} | kw

    return resolve


def _reports(factory, *args, **kw):
    def resolve():
        from safestar.reports.tests import factories

        return {"pk": getattr(factories, factory)(*args, **kw).pk}

    return resolve


def _objection(town, **kw):
    """An objection to the first village of the town's published round."""
    def resolve():
        import datetime

        from safestar.evaluation.models import Objection
        from safestar.org.models import User

        round = _open_round(town, True)
        objection = Objection.objects.filter(round=round).first() or Objection.objects.create(
            round=round, village=round.entries.order_by("village__code").first().village, raised_by="村民张某",
            received_on=datetime.date(2024, 3, 2), content="对得分有异议", recorded_by=User.objects.get(username="county"))
        return {"pk": objection.pk} | kw

    return resolve


def _period(town, number=1, **kw):
    return lambda: _reports("requirement", town)() | {"number": number} | kw


# Work reports: a village reads its town's requirement and its own report, not 杨庄村's; 平岗镇's
# requirement is not 长岗镇's business; the police station (no creation field) reads neither the
# villages' requirement nor their reports (only what departments report).
_REQ, _REQ2 = _reports("requirement", CHANGGANG), _reports("requirement", PINGGANG)
_REPORT, _REPORT2 = _reports("report", VILLAGE1), _reports("report", VILLAGE2)
REPORTS = {
    "report-requirements": Case("village1", denied="auditor"),  # departments read those they report to
    "report-requirement-add": Case("town", denied="village1"),
    "report-requirement": Case("village1", _REQ, other=_REQ2, denied="police"),
    "report-start": Case("village1", _period(CHANGGANG), other=_period(PINGGANG), denied="town", ok=302, method="post"),
    "report-summary": Case("town", _period(CHANGGANG, code=CHANGGANG), other=_period(PINGGANG, code=PINGGANG), denied="village1"),
    "report": Case("village1", _REPORT, other=_REPORT2, denied="police"),
    "report-edit": Case("grid1", _REPORT, other=_REPORT2, denied="town"),
    "report-transition": Case("village1", _REPORT, other=_REPORT2, denied="auditor", ok=302, method="post"),
    "api:report-requirements-list": Case("village1", denied="admin"),
    "api:report-requirements-detail": Case("village1", _REQ, other=_REQ2, denied="police"),
    "api:reports-list": Case("town", denied="auditor"),
    "api:reports-detail": Case("village1", _REPORT, other=_REPORT2, denied="police"),
}


NINGLING_TOWN = "411423101000"  # 宁陵县张弓镇, outside the county evaluator's reach

# Annual evaluation: a village reads its town's round and its own entry, not 杨庄村's; 平岗镇's round
# is not 长岗镇's business; the county cannot reach 宁陵县; the police station (no evaluation field) sees none.
EVALUATION = {
    "evaluation-rounds": Case("village1", denied="police"),
    "evaluation-round-add": Case("county", denied="town"),
    "evaluation-stars": Case("village1", denied="police"),
    "evaluation-round": Case("village1", _round(CHANGGANG), other=_round(PINGGANG), denied="police"),
    "evaluation-round-town": Case("town", _round(CHANGGANG, code=CHANGGANG), other=_round(CHANGGANG, code=PINGGANG), denied="police"),
    "evaluation-round-forward": Case("town", _round(CHANGGANG, code=CHANGGANG), other=_round(PINGGANG, code=PINGGANG),
                                     denied="village1", ok=302, method="post"),
    "evaluation-round-evaluate-town": Case("county", _round(CHANGGANG, code=CHANGGANG), other=_round(NINGLING_TOWN, code=NINGLING_TOWN),
                                           denied="town"),
    "evaluation-round-admit-forward": Case("county", _round(CHANGGANG, code=CHANGGANG), other=_round(NINGLING_TOWN, code=NINGLING_TOWN),
                                           denied="town", ok=302, method="post"),
    "evaluation-round-late": Case("town", _round(CHANGGANG, stage="self"), other=_round(PINGGANG, stage="self"), denied="village1",
                                  ok=302, method="post"),
    "evaluation-round-publish": Case("county", _round(CHANGGANG), other=_round(NINGLING_TOWN), denied="town", ok=302, method="post"),
    "evaluation-round-xlsx": Case("town", _round(CHANGGANG), other=_round(PINGGANG), denied="police"),
    "evaluation-report-docx": Case("town", _round(CHANGGANG), other=_round(PINGGANG), denied="police", ok=302),
    "evaluation-report-pdf": Case("county", _round(CHANGGANG), other=_round(NINGLING_TOWN), denied="police", ok=302),
    "evaluation-publication-docx": Case("village1", _round(CHANGGANG, True), other=_round(PINGGANG, True), denied="police", ok=302),
    "evaluation-document": Case("town", _document_job("town", CHANGGANG), other=_document_job("county", CHANGGANG)),
    "evaluation-document-file": Case("town", _document_job("town", CHANGGANG), other=_document_job("county", CHANGGANG)),
    "evaluation-objection-add": Case("county", _round(CHANGGANG, True), other=_round(NINGLING_TOWN, True), denied="town", ok=302,
                                     method="post"),
    "evaluation-objection-decide": Case("county", _objection(CHANGGANG, step="reject"), other=_objection(NINGLING_TOWN, step="reject"),
                                        denied="town", ok=302, method="post"),
    "evaluation-entry": Case("village1", _entry(VILLAGE1), other=_entry(VILLAGE2), denied="police"),
    "evaluation-entry-xlsx": Case("village1", _entry(VILLAGE1), other=_entry(VILLAGE2), denied="police"),
    "evaluation-entry-line": Case("village1", _entry(VILLAGE1, code="C1.5"), other=_entry(VILLAGE2, code="C1.5"), denied="police",
                                  ok=302, method="post"),
    "evaluation-entry-action": Case("village1", _entry(VILLAGE1, action="submit"), other=_entry(VILLAGE2, action="submit"),
                                    denied="police", ok=302, method="post"),
    "api:evaluation-rounds": Case("village1", denied="police"),
    "api:evaluation-round": Case("town", _round(CHANGGANG), other=_round(PINGGANG), denied="police"),
    "api:evaluation-entry": Case("village1", _entry(VILLAGE1), other=_entry(VILLAGE2), denied="police"),
    "api:evaluation-entry-action": Case("village1", _entry(VILLAGE1, action="submit"), other=_entry(VILLAGE2, action="submit"),
                                        denied="police", method="post", body={}),
}


def all_cases():
    """(route name, ledger slug or None, Case) for every route."""
    cases = [(name, None, case) for name, case in ROUTES.items()]
    cases += [(name, None, case) for name, case in WORKFLOW.items()]
    cases += [(name, None, case) for name, case in KEY_PERSONS.items()]
    cases += [(name, None, case) for name, case in CREATION.items()]
    cases += [(name, None, case) for name, case in EVALUATION.items()]
    cases += [(name, None, case) for name, case in REPORTS.items()]
    for slug in sorted(LEDGERS):
        cases += [(name, slug, case) for name, case in ledger_cases(slug).items()]
    return cases


def _route_names(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _route_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_route_is_walked():
    names = set(_route_names(get_resolver().url_patterns))
    assert None not in names and "None" not in names, "every route needs a name"
    walked = {name for name, _, _ in all_cases()}
    assert names == walked, f"routes without a scope case: {names - walked}; stale: {walked - names}"


def _kwargs(value):
    return value() if callable(value) else value


def _call(client, case, name, kwargs, username=None, query=None):
    from urllib.parse import urlencode

    from safestar.org.models import ApiToken, User

    url = reverse(name, kwargs=kwargs)
    if query:
        url += "?" + urlencode(query)
    headers = {}
    if username:
        user = User.objects.get(username=username)
        if name.startswith("api:"):
            headers["Authorization"] = f"Bearer {ApiToken.issue(user)[1]}"
        else:
            client.force_login(user)
            if case.verified and username == case.persona:
                _verify_session(client, user)
    if case.body is not None:
        body = case.body() if callable(case.body) else case.body
        response = getattr(client, case.method)(url, body, content_type="application/json", headers=headers)
    else:
        data = {"confirmed": "1"} if case.method == "post" and not name.startswith("api:") else None  # a confirmed form (core/confirm.py)
        response = getattr(client, case.method)(url, data, headers=headers)
    client.logout()
    return response


def _verify_session(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=user, name="恢复码")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.mark.parametrize("name, slug, case", all_cases(), ids=[f"{n}[{s}]" if s else n for n, s, _ in all_cases()])
def test_scope_walk(client, world, name, slug, case):
    kwargs = _kwargs(case.own)
    is_api = name.startswith("api:")

    query = _kwargs(case.query) if case.query else None
    anonymous = _call(client, case, name, kwargs, query=query)
    if case.persona is None:
        assert anonymous.status_code == case.ok
        return
    if is_api:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login") + "?next=")

    assert _call(client, case, name, kwargs, case.persona, query).status_code == case.ok
    if case.other is not None:
        assert _call(client, case, name, _kwargs(case.other), case.persona, query).status_code == 404
    if case.other_query is not None:
        assert _call(client, case, name, kwargs, case.persona, case.other_query).status_code == 404
    if case.denied is not None:
        assert _call(client, case, name, kwargs, case.denied, query).status_code == 404

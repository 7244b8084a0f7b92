"""The one transition mechanism, over every step of every table (core/transitions.py): each step
refuses to start from a state it does not start from, refuses a person without its action and a
person approving what they handled; of two people acting on the same page only one succeeds; a step
taken writes exactly one event row and one audit record. A model that gains a table without a
subject here fails `test_every_table_is_walked`."""

import datetime
import threading

import pytest
from django.apps import apps
from django.db import connection

from conftest import CHANGGANG, VILLAGE1, make_record
from safestar.audit.models import AuditEvent
from safestar.core.models import Event
from safestar.core.transitions import Refused, perform, perform_all
from safestar.org.models import User
from safestar.org.roles import can

PERSONAS = ["admin", "auditor", "county", "town", "town2", "taskforce", "police", "village1", "village2", "grid1", "village3", "admin2"]
REASON = "经核查属实，按规定办理"


def _round():
    from conftest import load_scheme
    from safestar.creation.tests.factories import confirmed_applications
    from safestar.evaluation import services
    from safestar.evaluation.models import Round
    from safestar.org.models import Division

    round = Round.objects.filter(area__code=CHANGGANG).first()
    if round is None:
        scheme = load_scheme(CHANGGANG)
        confirmed_applications(scheme, CHANGGANG)
        d = datetime.date(2024, 1, 31)
        round = services.open_round(scheme, Division.objects.get(code=CHANGGANG), d, d, d, User.objects.get(username="county"))
    return round


def _objection():
    from safestar.evaluation.models import Objection

    round = _round()
    return Objection.objects.create(round=round, village=round.entries.get(village__code=VILLAGE1).village, raised_by="村民张某",
                                    received_on=datetime.date(2024, 3, 2), content="对得分有异议", recorded_by=User.objects.get(username="county"))


def _plan():
    from safestar.creation.tests import factories

    plan = factories.plan(VILLAGE1)
    type(plan).objects.filter(pk=plan.pk).update(measures="更换损坏探头")
    plan.refresh_from_db()
    return plan


def _report():
    from safestar.reports.tests import factories

    return factories.report(VILLAGE1)


def _subjects():
    from safestar.creation.tests import factories

    return {
        # model label: (an object of it in the world, {step: the persona who takes it})
        "creation.application": (lambda: factories.application(VILLAGE1, status="applied"),
                                 {"confirm": "town", "reject": "town", "reapply": "village1"}),
        "creation.task": (lambda: factories.task(VILLAGE1), {"complete": "village1", "reopen": "town"}),
        "creation.inspection": (lambda: factories.inspection(CHANGGANG, held=False), {"hold": "town"}),
        "creation.rectificationplan": (_plan, {"submit": "village1", "verify": "town", "reopen": "town"}),
        "creation.specialcampaign": (lambda: factories.campaign(CHANGGANG), {"complete": "town"}),
        "evaluation.entry": (lambda: _round().entries.get(village__code=VILLAGE1),
                             {"submit": "village1", "submit_late": "village1", "admit": "town", "return": "taskforce",
                              "review": "taskforce", "forward": "town", "forward_late": "town", "admit_forward": "county",
                              "evaluate": "county", "recognise": "county", "unlock": "county"}),
        "evaluation.round": (_round, {"publish": "county"}),
        "reports.report": (lambda: _report(), {"submit": "village1", "accept": "town", "return": "town"}),
        "evaluation.objection": (_objection, {"uphold": "county", "reject": "county"}),
        "incidents.incident": (lambda: make_record("incidents", VILLAGE1), {"recognise": "county", "withdraw": "county"}),
    }


TABLES = sorted((model for model in apps.get_models() if "flow" in model.__dict__), key=lambda m: m._meta.label_lower)
STEPS = [(model._meta.label_lower, step.name) for model in TABLES for step in model.flow]


def test_every_step_needs_a_declared_action():
    from safestar.org.roles import ACTIONS

    assert [(label, name) for label, name in STEPS if apps.get_model(label).flow[name].action not in ACTIONS] == []


def test_every_table_is_walked():
    subjects = _subjects()
    assert {label for label, _ in STEPS} == set(subjects)
    assert all(name in subjects[label][1] for label, name in STEPS), "every step needs the persona who takes it"


def _setup(label, name):
    make, actors = _subjects()[label]
    obj = make()
    model = type(obj)
    return model, model.flow, model.flow[name], obj, User.objects.get(username=actors[name])


def _put(obj, flow, state, **fields):
    type(obj).objects.filter(pk=obj.pk).update(**{flow.field: state}, **fields)
    obj.refresh_from_db()
    return obj


def _take(obj, step, actor):
    if step.batch:
        return perform_all(type(obj).objects.filter(pk=obj.pk), step.name, actor, subject=obj, describe=step.title)
    return perform(obj, step.name, actor, comment=REASON)


def _trace(obj):
    """What a step leaves behind: its event rows and its audit records."""
    label = obj._meta.label_lower
    return (Event.objects.filter(object_type=label, object_id=obj.pk).count(),
            AuditEvent.objects.filter(object_type=label, object_id=str(obj.pk), action="update").count())


@pytest.mark.parametrize("label, name", STEPS)
def test_a_step_does_not_start_from_another_state(world, label, name):
    model, flow, step, obj, actor = _setup(label, name)
    others = [state for state in flow.labels() if state not in step.source]
    assert others, f"{label}.{name} starts from every state"
    for state in others:
        _put(obj, flow, state)
        before = _trace(obj)
        assert not _take(obj, step, actor)
        assert getattr(model.objects.get(pk=obj.pk), flow.field) == state and _trace(obj) == before


@pytest.mark.parametrize("label, name", STEPS)
def test_a_step_refuses_whoever_lacks_its_action(world, label, name):
    model, flow, step, obj, actor = _setup(label, name)
    _put(obj, flow, step.source[0])
    before = _trace(obj)
    lacking = [User.objects.get(username=p) for p in PERSONAS if not can(User.objects.get(username=p), step.action, obj)]
    assert lacking and actor not in lacking
    for user in lacking:
        with pytest.raises(Refused):
            _take(obj, step, user)
    assert getattr(model.objects.get(pk=obj.pk), flow.field) == step.source[0] and _trace(obj) == before


@pytest.mark.parametrize("label, name", [(label, name) for label, name in STEPS if apps.get_model(label).flow[name].not_by])
def test_nobody_takes_a_step_on_what_they_handled_not_even_from_a_stale_page(world, label, name):
    model, flow, step, obj, actor = _setup(label, name)
    stale = _put(obj, flow, step.source[0])  # read before this actor handled it
    for handler in step.not_by:
        was = getattr(stale, f"{handler}_id")
        obj = _put(model.objects.get(pk=obj.pk), flow, step.source[0], **{f"{handler}_id": actor.pk})
        before = _trace(obj)
        for copy in (obj, stale):
            with pytest.raises(Refused, match="不能"):
                _take(copy, step, actor)
        assert getattr(model.objects.get(pk=obj.pk), flow.field) == step.source[0] and _trace(obj) == before
        _put(obj, flow, step.source[0], **{f"{handler}_id": was})


@pytest.mark.parametrize("label, name", STEPS)
def test_of_two_people_on_the_same_page_only_one_succeeds_and_the_step_is_recorded_once(world, label, name):
    model, flow, step, obj, actor = _setup(label, name)
    _put(obj, flow, step.source[0])
    first, second = model.objects.get(pk=obj.pk), model.objects.get(pk=obj.pk)  # both pages show the source state
    others = [u for u in User.objects.filter(username__in=PERSONAS).exclude(pk=actor.pk) if can(u, step.action, obj)]
    version = getattr(first, "version", None)
    events, audits = _trace(obj)
    assert _take(first, step, actor)
    assert not _take(second, step, others[0] if others else actor)
    assert getattr(model.objects.get(pk=obj.pk), flow.field) == step.target
    assert _trace(obj) == (events + 1, audits + 1)  # (a batch records its audit on its subject: here the object itself)
    event = Event.objects.filter(object_type=label, object_id=obj.pk).latest("id")
    assert (event.action, event.actor, event.to_status) == (name, actor, str(step.target).lower() if isinstance(step.target, bool) else step.target)
    if version is not None:
        assert model.objects.get(pk=obj.pk).version == version + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time: two cannot overlap there")
@pytest.mark.django_db(transaction=True)
def test_two_people_at_the_same_moment_only_one_succeeds():
    """Real concurrency on PostgreSQL: two threads verify the same rectification at once; the row
    lock and the conditional update let exactly one of them through."""
    from conftest import build_world
    from safestar.creation import services

    build_world()
    plan = _plan()
    services.submit_plan(plan, User.objects.get(username="village1"), "已维修")
    town = User.objects.get(username="town")
    start, results = threading.Barrier(2), []

    def verify():
        try:
            copy = type(plan).objects.get(pk=plan.pk)
            start.wait()
            results.append(services.verify_plan(copy, town, "合格"))
        finally:
            connection.close()

    threads = [threading.Thread(target=verify) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Event.objects.filter(object_type="creation.rectificationplan", object_id=plan.pk, action="verify").count() == 1

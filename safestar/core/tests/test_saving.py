"""The one audited save (core/saving.py), as the edit pages use it: only the form's fields are
written, a row that moved on meanwhile is a conflict with a Chinese message, the audit names
exactly what changed."""

import datetime

from conftest import VILLAGE1
from safestar.audit.models import AuditEvent
from safestar.creation.forms import PlanForm
from safestar.creation.models import RectificationPlan
from safestar.creation.tests import factories
from safestar.org.models import User


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_value_changed_meanwhile_outside_the_form_is_not_overwritten(login, world, monkeypatch):
    plan = factories.plan(VILLAGE1)
    clean = PlanForm.clean

    def town_moves_the_deadline(form):  # between the page's read and its save, outside the page's fields
        RectificationPlan.objects.filter(pk=plan.pk).update(deadline=datetime.date(2023, 12, 31))
        return clean(form)

    monkeypatch.setattr(PlanForm, "clean", town_moves_the_deadline)
    grid1 = User.objects.get(username="grid1")
    response = login("village1").post(f"/creation/rectifications/{plan.pk}/edit/", {"measures": "更换探头", "responsible": grid1.pk}, follow=True)
    assert "已保存整改方案。" in messages_of(response)
    plan.refresh_from_db()
    assert (plan.measures, plan.responsible, plan.deadline) == ("更换探头", grid1, datetime.date(2023, 12, 31))
    audit = AuditEvent.objects.filter(object_type="creation.rectificationplan", object_id=str(plan.pk), action="update").get()
    cadre = User.objects.get(username="village1")  # a new plan is the village cadre's until the village names someone else
    assert audit.changes == {"measures": ["", "更换探头"], "responsible": [str(cadre), str(grid1)]}


def test_a_plan_submitted_meanwhile_is_not_edited_and_the_page_says_why(login, world, monkeypatch):
    plan = factories.plan(VILLAGE1)
    clean = PlanForm.clean

    def submitted_meanwhile(form):
        RectificationPlan.objects.filter(pk=plan.pk).update(status="submitted", measures="原措施")
        return clean(form)

    monkeypatch.setattr(PlanForm, "clean", submitted_meanwhile)
    response = login("village1").post(f"/creation/rectifications/{plan.pk}/edit/", {"measures": "改过的措施"}, follow=True)
    assert "状态已被他人更改，本次操作未执行" in " ".join(messages_of(response))
    plan.refresh_from_db()
    assert plan.measures == "原措施" and not AuditEvent.objects.filter(object_type="creation.rectificationplan", action="update").exists()

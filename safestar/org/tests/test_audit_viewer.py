import io

from django.utils import timezone
from python_calamine import CalamineWorkbook

from safestar.audit.log import record
from safestar.audit.models import AuditEvent
from safestar.core.scope import can_write, scope_filter
from safestar.org.models import User


def test_the_auditor_filters_by_user_and_action(login):
    town = User.objects.get(username="town")
    record("export", actor=town, object_repr="长岗镇行政村名录")
    record("update", actor=User.objects.get(username="town2"), object_repr="平岗村")
    client = login("auditor")
    page = client.get("/audit/", {"user": "town", "action": "export"})
    assert page.status_code == 200
    events = list(page.context["page"])
    assert [e.object_repr for e in events] == ["长岗镇行政村名录"]
    assert "长岗镇行政村名录" in page.content.decode()


def test_the_auditor_filters_by_period_and_object(login):
    record("update", actor=User.objects.get(username="town"), object_repr="杨庄村")
    client = login("auditor")
    assert client.get("/audit/", {"object": "杨庄", "start": "2000-01-01", "end": "2000-01-02"}).context["page"].paginator.count == 0
    assert client.get("/audit/", {"object": "杨庄"}).context["page"].paginator.count == 1


def test_an_auditor_of_another_county_sees_none_of_these_events(login, world):
    from safestar.org.services import BUNDLED_CSV, load_divisions, read_division_csv, subtree
    from safestar.org.models import Division

    load_divisions(subtree(read_division_csv(BUNDLED_CSV), "411423000000"))  # 宁陵县
    other = User.objects.create(
        username="auditor2", role="auditor", division=Division.objects.get(code="411423000000"), password_changed_at=timezone.now()
    )
    record("update", actor=User.objects.get(username="town"), object_repr="杨庄村")
    client = login("auditor2")
    assert client.get("/audit/", {"object": "杨庄"}).context["page"].paginator.count == 0
    assert other.pk


def test_the_export_is_a_workbook_and_is_itself_audited(login):
    record("update", actor=User.objects.get(username="town"), object_repr="杨庄村")
    response = login("auditor").get("/audit/export.xlsx", {"object": "杨庄"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "审计日志"
    assert rows[2][:3] == ["序号", "时间", "账号"]
    assert [r[6] for r in rows[3:]] == ["杨庄村"]
    assert AuditEvent.objects.filter(action="export", actor_name="auditor").exists()


def test_no_role_can_change_an_audit_event(world):
    from safestar.org.roles import Role

    for role in Role:
        user = User.objects.filter(role=role).first()
        # Through the scope mechanism as the viewer applies it (audit lies below core, so
        # AuditEvent has no scoped manager of its own: see docs/architecture.md, layers).
        assert not scope_filter(AuditEvent.objects.all(), user, write=True).exists()
        assert not can_write(AuditEvent, user)


def test_events_of_operator_commands_are_shown_to_the_auditor(login):
    record("import", object_repr="行政区划导入：3 条")
    assert login("auditor").get("/audit/", {"object": "行政区划导入"}).context["page"].paginator.count >= 1


def test_the_auditor_reads_changes_by_their_chinese_names_and_values(login):
    from conftest import VILLAGE1, make_record

    camera = make_record("cameras", VILLAGE1)
    record("update", camera, actor=User.objects.get(username="town"),
           changes={"division": [None, "长岗村"], "working": [True, False], "channels": [4, 6], "comment": [None, "已维修"]})
    from safestar.creation.tests import factories

    application = factories.application(VILLAGE1)  # a reverse relation named in the changes: 任务
    record("update", application, actor=User.objects.get(username="town"), changes={"tasks": 3})
    page = login("auditor").get("/audit/", {"object": str(camera)[:10]})
    html = page.content.decode()
    assert "村</span>：长岗村" in html
    assert "是否在用</span>：是 → 否" in html or "在用</span>：是 → 否" in html
    assert "：4 → 6" in html and "意见</span>：已维修" in html
    for python in ("None", "True", "False", "[", "division", "working", "channels"):
        changes = html[html.index('data-testid="audit-events"'):]
        assert f"{python}" not in changes.split("</table>")[0].split("<tbody>")[1], python
    response = login("auditor").get("/audit/export.xlsx", {"object": str(camera)[:10]})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert "村：长岗村" in rows[3][7] and "None" not in rows[3][7]

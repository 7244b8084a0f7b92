"""领导包村: the town office assigns its leaders to villages (audited); the names appear on the village
page and the town page; a leader's 我的待办 lists the villages they cover."""

import datetime

import pytest

from conftest import CHANGGANG, PINGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.creation.models import Leadership
from safestar.creation.tests import factories
from safestar.org.models import Division, User


def assign(client, village, leader, position="镇党委副书记", town=CHANGGANG, follow=True):
    return client.post(f"/creation/leaders/?town={town}", {
        "village": Division.objects.get(code=village).pk, "leader": User.objects.get(username=leader).pk, "position": position,
        "since": "2023-03-01",
    }, follow=follow)


def test_the_town_office_assigns_a_leader_and_everyone_concerned_sees_the_name(login, world):
    taskforce = User.objects.get(username="taskforce")
    taskforce.full_name = "王振华"
    taskforce.save()
    town = login("town")
    response = assign(town, VILLAGE1, "taskforce")
    assert "已安排：王振华（镇党委副书记）包长岗村" in response.content.decode()
    leadership = Leadership.objects.get()
    audit = AuditEvent.objects.get(object_type="creation.leadership", action="create")
    assert audit.actor.username == "town" and audit.changes["position"] == [None, "镇党委副书记"]
    row = town.get(f"/creation/leaders/?town={CHANGGANG}").content.decode().split(f'data-village="{VILLAGE1}"')[1].split("</tr>")[0]
    assert "王振华（镇党委副书记，2023-03-01起）" in row
    for person in ("village1", "grid1", "town", "county"):  # the village page names the leader
        page = login(person).get(f"/divisions/{VILLAGE1}/").content.decode()
        assert 'data-testid="leaders-panel"' in page and "王振华（镇党委副书记）" in page, person
    assert "王振华" not in login("village2").get(f"/divisions/{VILLAGE2}/").content.decode()  # not 杨庄村's leader
    town_page = login("town").get(f"/divisions/{CHANGGANG}/").content.decode()
    assert 'data-testid="town-leaders-panel"' in town_page and "王振华（镇党委副书记）：长岗村" in town_page
    assert leadership.since == datetime.date(2023, 3, 1)


def test_a_leaders_todo_lists_the_villages_they_cover_with_what_is_open(login, world, freeze_today):
    assign(login("town"), VILLAGE1, "taskforce")
    assign(login("town"), VILLAGE2, "taskforce", position="镇党委副书记")
    factories.plan(VILLAGE1, deadline=datetime.date(2023, 6, 30))
    freeze_today(datetime.date(2023, 7, 1))
    response = login("taskforce").get("/creation/todo/")
    [queue] = [q for q in response.context["queues"] if q.key == "covered-villages"]
    assert [i.label for i in queue.items] == ["长岗村", "杨庄村"] and queue.count == 2
    assert "未销号整改 1 项，其中逾期 1 项" in queue.items[0].note and queue.items[0].late
    assert "未销号整改 0 项" in queue.items[1].note and not queue.items[1].late
    assert "我包联的村" in response.content.decode()
    assert "covered-villages" not in [q.key for q in login("town").get("/creation/todo/").context["queues"]]  # leads none


def test_bad_or_repeated_assignments_are_refused_in_chinese(login, world):
    town = login("town")
    assign(town, VILLAGE1, "taskforce")
    page = assign(town, VILLAGE1, "taskforce").content.decode()
    assert "已包长岗村，不能重复安排" in page and Leadership.objects.count() == 1
    page = assign(town, PINGGANG_VILLAGE, "taskforce").content.decode()  # a village of another town
    assert "选择一个有效的选项" in page
    page = assign(town, VILLAGE2, "village1").content.decode()  # a village cadre is not a town leader
    assert Leadership.objects.count() == 1 and "选择一个有效的选项" in page
    page = town.post(f"/creation/leaders/?town={CHANGGANG}", {"village": "", "leader": "", "position": "", "since": "x"}).content.decode()
    assert "这个字段是必填项" in page
    assert Leadership.objects.count() == 1


def test_only_the_town_office_assigns_and_only_in_its_town(login, world):
    assert assign(login("taskforce"), VILLAGE1, "taskforce", follow=False).status_code == 404  # reads, does not assign
    assert login("taskforce").get(f"/creation/leaders/?town={CHANGGANG}").status_code == 200
    assert login("town").get(f"/creation/leaders/?town={PINGGANG}").status_code == 404
    assert login("village1").get("/creation/leaders/").status_code == 404
    assert not Leadership.objects.exists()


def test_removing_an_assignment_is_audited(login, world):
    assign(login("town"), VILLAGE1, "taskforce")
    leadership = Leadership.objects.get()
    assert login("town2").post(f"/creation/leaders/{leadership.pk}/remove/").status_code == 404  # the town next door
    response = login("town").post(f"/creation/leaders/{leadership.pk}/remove/", follow=True)
    assert "已取消" in response.content.decode() and not Leadership.objects.exists()
    audit = AuditEvent.objects.get(object_type="creation.leadership", action="delete")
    assert audit.changes["position"] == ["镇党委副书记", None]


@pytest.mark.parametrize("n", [1, 6])
def test_the_town_page_queries_do_not_grow_with_the_assignments(login, world, django_assert_num_queries, n):
    villages = Division.objects.filter(parent__code=CHANGGANG, level="village").order_by("code")[:n]
    leader = User.objects.get(username="taskforce")
    for v in villages:
        Leadership.objects.create(village=v, leader=leader, position="副镇长", since=datetime.date(2023, 1, 1))
    client = login("town")
    client.get(f"/creation/leaders/?town={CHANGGANG}")
    # BASE 2 (session; user with division and authenticator flag) + the town, the assignments (village and leader joined),
    # the villages, the writable check of the town, the leader choices are rendered (villages, leaders)
    with django_assert_num_queries(8):
        assert client.get(f"/creation/leaders/?town={CHANGGANG}").status_code == 200

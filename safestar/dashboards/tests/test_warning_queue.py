"""预测预警 in 我的待办 and the notifications: the town office (and its 工作专班) is told of each
village of its town showing a sign, once per village and sign, linking to the village on the warning
page; nobody outside the town, no village, no county; gone from the queue when resolved; the page's
queries do not grow with the villages showing signs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import CHANGGANG, VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.notices import services as notices
from safestar.notices.models import Notice
from safestar.org.models import Division, User
from safestar.safety.models import Hazard

DAY = datetime.date(2023, 7, 1)


@pytest.fixture
def town(world, freeze_today):
    freeze_today(DAY)
    load_scheme()
    return User.objects.get(username="town")


def _hazard(code, deadline=datetime.date(2023, 6, 1)):
    return make_record("hazards", code, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=deadline)


def _queue(login, username):
    response = login(username).get("/creation/todo/")
    assert response.status_code == 200
    found = {q.key: q for q in response.context["queues"]}
    return found.get("warnings"), response.content.decode()


def _key(code, sign="W06", year=2023):
    return ("org.division", f"{Division.objects.get(code=code).pk}-{sign}-{year}")


def test_the_town_office_is_told_of_a_village_showing_a_sign_once(login, town):
    before, _ = _queue(login, "town")
    assert before is None or _key(VILLAGE1) not in [i.key for i in before.items]  # the demo's 长岗村 has no overdue hazard
    hazard = _hazard(VILLAGE1)
    _hazard(VILLAGE1, deadline=datetime.date(2023, 6, 2))  # two sources, still one sign of one village
    _hazard(VILLAGE2, deadline=datetime.date(2023, 8, 1))  # not yet overdue: no sign
    queue, page = _queue(login, "town")
    keys = [i.key for i in queue.items]
    assert keys.count(_key(VILLAGE1)) == 1 and _key(VILLAGE2) not in keys
    listed = next(i for i in queue.items if i.key == _key(VILLAGE1))
    assert listed.label == "长岗村：安全隐患超过整改期限仍未整改" and "2 处安全隐患已过整改期限" in listed.note
    assert listed.url == f"/dashboard/warnings/?division={CHANGGANG}&year=2023#v{VILLAGE1}"
    assert "村的预警信号" in page and f"#v{VILLAGE1}" in page
    assert f'id="v{VILLAGE1}"' in login("town").get(listed.url.split("#")[0]).content.decode()  # the link lands on the village
    taskforce = _queue(login, "taskforce")[0]  # 镇工作专班 holds dashboards.view at town level too
    assert _key(VILLAGE1) in [i.key for i in taskforce.items]
    for outsider in ("town2", "village1", "grid1", "county"):  # the other town; the village itself; the county
        other = _queue(login, outsider)[0]
        assert other is None or _key(VILLAGE1) not in [i.key for i in other.items], outsider

    # the notification: one for the town office, none outside the town, not twice
    people = list(User.objects.filter(username__in=["town", "taskforce", "town2", "village1", "county"]).select_related("division"))
    notices.collect(people)
    notices.collect(people)
    key = f"warnings:org.division:{_key(VILLAGE1)[1]}:open"
    assert set(Notice.objects.filter(key=key).values_list("recipient__username", flat=True)) == {"town", "taskforce"}
    notice = Notice.objects.get(key=key, recipient__username="town")
    assert notice.title == "村的预警信号：长岗村：安全隐患超过整改期限仍未整改" and notice.url == listed.url

    # resolved: no longer in the queue (the notice stays in the inbox as it was)
    Hazard.objects.filter(division__code=VILLAGE1, deadline__lt=DAY).update(status="rectified", rectified_on=DAY)
    after = _queue(login, "town")[0]
    assert after is None or _key(VILLAGE1) not in [i.key for i in after.items]
    assert hazard.pk


def test_the_other_town_is_told_of_its_own_villages(login, town):
    from conftest import PINGGANG_VILLAGE

    _hazard(PINGGANG_VILLAGE)
    mine = _queue(login, "town2")[0]
    assert mine is not None and _key(PINGGANG_VILLAGE) in [i.key for i in mine.items]
    theirs = _queue(login, "town")[0]
    assert theirs is None or _key(PINGGANG_VILLAGE) not in [i.key for i in theirs.items]


def _page_queries(client):
    with CaptureQueriesContext(connection) as context:
        assert client.get("/creation/todo/").status_code == 200
    return len(context)


def test_the_todo_page_queries_do_not_grow_with_villages_showing_signs(login, town, django_assert_num_queries):
    client = login("town")
    _hazard(VILLAGE1)
    _page_queries(client)  # the first request of the process fills its caches
    few = _page_queries(client)
    villages = list(Division.objects.filter(parent__code=CHANGGANG, level="village").exclude(code=VILLAGE1)[:6])
    for village in villages:
        for _ in range(2):
            _hazard(village.code)
        make_record("disputes", village.code, stage="mediating", closed_on=None, result="", received_on=datetime.date(2023, 6, 1),
                    deadline=datetime.date(2023, 6, 10), parties="张三、李四")
    assert len(_queue(login, "town")[0].items) >= 1 + 2 * len(villages)
    with django_assert_num_queries(few):
        assert client.get("/creation/todo/").status_code == 200

"""The outbox on frozen dates: each kind of notification created once, only for people whose scope
holds the object, shown in the in-app inbox, delivered to a webhook on 127.0.0.1, retried after a
failing delivery, summarised in the daily digest."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from safestar.notices import services
from safestar.notices.models import Delivery, Notice
from safestar.org.models import User

DAY = datetime.date(2023, 12, 20)  # late in the demo year: tasks overdue, entries waiting


class Robot:
    """A group robot on 127.0.0.1: answers 500 to the first `fail` posts, then {"errcode": 0}."""

    def __init__(self, fail=0):
        self.fail, self.received = fail, []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if robot.fail > 0:
                    robot.fail -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                robot.received.append(body["text"]["content"])
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?key=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot(settings):
    made = []

    def start(fail=0):
        r = Robot(fail)
        made.append(r)
        settings.SAFESTAR_NOTICE_CHANNELS = ["webhook"]
        settings.SAFESTAR_NOTICE_WEBHOOK_URL = r.url
        return r

    yield start
    for r in made:
        r.close()


@pytest.fixture
def events(world):
    """A task in each of two villages, due ten days after DAY; an incident waiting for recognition in
    长岗村 and one in the county next door."""
    from conftest import OTHER_COUNTY_VILLAGE, VILLAGE1, VILLAGE2, make_record
    from safestar.creation.models import Task
    from safestar.org.models import Division

    due = DAY + datetime.timedelta(days=10)
    tasks = [Task.objects.create(village=Division.objects.get(code=code), title=f"{code}的创建任务", due_on=due)
             for code in (VILLAGE1, VILLAGE2)]
    incidents = [make_record("incidents", code, recognised=False) for code in (VILLAGE1, OTHER_COUNTY_VILLAGE)]
    return tasks, incidents


def _object(notice):
    queue, label, pk, state = notice.key.split(":")
    return apps.get_model(label), int(pk.split("-")[0])  # a report's period "requirement-period", a sign "village-sign-year"


def test_each_event_notified_once_and_only_within_scope(events, freeze_today):
    freeze_today(DAY)
    created = services.collect()
    assert created > 0
    assert services.collect() == 0  # de-duplicated: a second run creates nothing
    notices = list(Notice.objects.select_related("recipient"))
    assert len(notices) == created
    kinds = {n.kind for n in notices}
    assert {"tasks", "to-recognise-incidents"} <= kinds, kinds  # a village's tasks due; the county's incidents waiting
    tasks, incidents = events
    assert Notice.objects.filter(recipient__username="county", key__endswith=f"incidents.incident:{incidents[0].pk}:open").exists()
    assert not Notice.objects.filter(key__contains=f"incidents.incident:{incidents[1].pk}:").exists()  # next county: nobody here
    assert Notice.objects.filter(recipient__username="village1", key=f"tasks:creation.task:{tasks[0].pk}:open").exists()
    for notice in notices:  # nobody is told about an object outside their scope
        model, pk = _object(notice)
        assert hasattr(model.objects, "visible_to"), model
        assert model.objects.visible_to(notice.recipient).filter(pk=pk).exists(), (notice.recipient, notice.key)
    assert not Notice.objects.filter(recipient__username="village1", key__contains=f"creation.task:{tasks[1].pk}:").exists()
    assert not Notice.objects.filter(recipient__username__in=["auditor", "admin"]).exists()


def test_a_task_due_then_overdue_is_two_notices(events, freeze_today):
    task = events[0][0]
    village1 = User.objects.get(username="village1")
    freeze_today(task.due_on - datetime.timedelta(days=5))
    services.collect([village1])
    freeze_today(task.due_on + datetime.timedelta(days=1))
    services.collect([village1])
    services.collect([village1])
    keys = set(Notice.objects.filter(recipient=village1, key__contains=f"creation.task:{task.pk}:").values_list("key", flat=True))
    assert keys == {f"tasks:creation.task:{task.pk}:open", f"tasks:creation.task:{task.pk}:late"}


def test_webhook_delivery_retried_with_backoff_and_digest(events, freeze_today, robot):
    freeze_today(DAY)
    hook = robot(fail=1)
    village1 = User.objects.get(username="village1")
    created = services.collect([village1])
    assert created > 0
    first = Delivery.objects.filter(recipient=village1).order_by("id").first()
    now = timezone.now()
    sent, failed = services.deliver(now)
    assert failed == 1 and sent == created - 1
    first.refresh_from_db()
    assert first.status == Delivery.Status.PENDING and first.attempts == 1 and "500" in first.last_error
    assert first.next_try_at == now + datetime.timedelta(minutes=1)
    assert Notice.objects.filter(recipient=village1).count() == created  # the in-app notice is not lost
    assert services.deliver(now) == (0, 0)  # not before the backoff has passed
    assert services.deliver(now + datetime.timedelta(minutes=1)) == (1, 0)
    first.refresh_from_db()
    assert first.status == Delivery.Status.SENT and first.attempts == 2
    assert len(hook.received) == created
    assert any(first.subject in content and str(village1) in content for content in hook.received)

    assert services.digest(timezone.localdate()) == 1
    assert services.digest(timezone.localdate()) == 0  # once a day
    services.deliver(now + datetime.timedelta(minutes=2))
    summary = hook.received[-1]
    assert f"通知摘要：{created} 条" in summary
    assert all(n.title in summary for n in Notice.objects.filter(recipient=village1))


def test_a_delivery_that_keeps_failing_is_shown_to_the_administrator(events, freeze_today, robot, login, settings):
    freeze_today(DAY)
    robot(fail=10**6)
    settings.SAFESTAR_NOTICE_ATTEMPTS = 3
    village1 = User.objects.get(username="village1")
    services.collect([village1])
    now = timezone.now()
    for minutes in (0, 1, 3):
        services.deliver(now + datetime.timedelta(minutes=minutes))
    delivery = Delivery.objects.filter(recipient=village1).order_by("id").first()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    client = login("admin")
    assert "未能通过外部渠道" in client.get(reverse("home")).content.decode()
    page = client.get(reverse("notice-failures")).content.decode()
    assert delivery.subject in page and "发送失败" in page
    assert login("town").get(reverse("notice-failures")).status_code == 404
    admin2 = login("admin2")  # 平岗镇's administrator: 长岗村's people are not in their scope
    assert delivery.subject not in admin2.get(reverse("notice-failures")).content.decode()


def test_an_event_that_ends_and_comes_back_notifies_again(events, freeze_today):
    """An incident waiting for recognition notifies the county once; recognised, it leaves 我的待办 and
    its notice ends; sent back to be recognised again, it is a new event: a second notice."""
    from safestar.incidents.models import Incident

    freeze_today(DAY)
    _, incidents = events
    waiting = Notice.objects.filter(recipient__username="county", key__endswith=f"incidents.incident:{incidents[0].pk}:open")
    services.collect()
    assert waiting.count() == 1 and waiting.get().ended_at is None
    assert services.collect() == 0  # still waiting: nothing new
    Incident.objects.filter(pk=incidents[0].pk).update(recognised=True)
    services.collect()
    assert waiting.count() == 1 and waiting.get().ended_at is not None  # done: the notice has ended
    Incident.objects.filter(pk=incidents[0].pk).update(recognised=False)
    assert services.collect() >= 1
    assert waiting.count() == 2 and waiting.filter(ended_at__isnull=True).count() == 1  # back: notified again


def test_inbox_bell_and_mark_read(events, freeze_today, login, django_assert_num_queries):
    freeze_today(DAY)
    village1 = User.objects.get(username="village1")
    services.collect([village1])
    freeze_today(DAY + datetime.timedelta(days=11))  # the task is now overdue: a second notice
    services.collect([village1])
    unread = Notice.objects.filter(recipient=village1).count()
    assert unread == 2
    client = login("village1")
    page = client.get(reverse("notices")).content.decode()
    assert f'data-testid="bell-count">{unread}<' in client.get(reverse("notices-bell")).content.decode()
    notice = Notice.objects.filter(recipient=village1).first()
    assert notice.title in page
    response = client.post(reverse("notice-read", args=[notice.pk]), {"go": "1"})
    assert response.status_code == 302 and response["Location"] == notice.url
    page = client.get(reverse("notices") + "?unread=1").content.decode()
    assert f'data-testid="bell-count">{unread - 1}<' in client.get(reverse("notices-bell")).content.decode()
    assert reverse("notice-read", args=[notice.pk]) not in page  # only the unread are listed
    client.post(reverse("notices-read-all"))
    assert 'data-testid="bell-count"' not in client.get(reverse("notices-bell")).content.decode()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notices-bell"))
    Notice.objects.bulk_create([Notice(recipient=village1, key=f"more:{i}", kind="x", title="再一条") for i in range(50)])
    with django_assert_num_queries(len(few)):  # one count, however many notices
        assert 'data-testid="bell-count">50<' in client.get(reverse("notices-bell")).content.decode()
    other = login("village2")  # the same client, now as 杨庄村: village1's notice is not theirs
    assert other.post(reverse("notice-read", args=[Notice.objects.filter(recipient=village1, read_at=None).first().pk])).status_code == 404


@pytest.mark.parametrize("extra", [0, 60])
def test_inbox_queries_do_not_grow(world, login, django_assert_num_queries, extra):
    village1 = User.objects.get(username="village1")
    Notice.objects.bulk_create([Notice(recipient=village1, key=f"x:{i}", kind="x", title=f"通知{i}") for i in range(5 + extra)])
    client = login("village1")
    client.get(reverse("notices"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("notices"))
    Notice.objects.bulk_create([Notice(recipient=village1, key=f"y:{i}", kind="x", title="再一条") for i in range(10)])
    with django_assert_num_queries(len(small)):
        client.get(reverse("notices"))


def test_pages_say_when_the_worker_is_not_running(world, login, settings, tmp_path):
    """Without a worker no reminder is made or sent: the inbox and the failures page say so."""
    client = login("village1")
    assert 'data-testid="worker-down"' not in client.get(reverse("notices")).content.decode()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.VAR_DIR = tmp_path  # no heartbeat file there
    assert "后台任务进程未运行" in client.get(reverse("notices")).content.decode()
    assert "后台任务进程未运行" in login("admin").get(reverse("notice-failures")).content.decode()

"""The page benchmark (`safestar bench pages`): the pages a town or a county opens every day, served
by gunicorn as `scripts/run.sh` serves them, on the benchmark data (`safestar bench generate`).

- prepare(): in the benchmark database, three accounts (bench-county, bench-town, bench-village: a
  county evaluator, a town office and a village cadre of one town that has villages, 长岗镇 when it has),
  the scheme (its issuer set to that county, so that it applies to all of it), the county's villages
  confirmed as 创建村 and one evaluation round of the county, so the round pages have something to show;
- queries(): each page fetched once in this process, its SQL counted;
- serve() + load(): a gunicorn of its own on a free port, and for each page N clients (threads, one
  request at a time each, a new connection per request as a browser without keep-alive) for a fixed
  time: requests per second, p50 and p95; the login page, anonymous, is the trivial reference;
- Writer (--writes N): a busy office, N records a second added in the county's villages meanwhile.

The clients of one account share its browser (session and CSRF cookies): a page it opened again
unchanged is sent from the store (core/pages.py); --fresh draws every page (SAFESTAR_STORED_PAGES=0).

Speed is measured here only; the test suite runs it tiny and asserts nothing about time.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from http.client import HTTPConnection
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from .generate import BenchError

ACCOUNTS = {"county": ("bench-county", "county"), "town": ("bench-town", "town"), "village": ("bench-village", "village")}
CHANGGANG = "411422100000"


@dataclass
class Setup:
    scheme: object
    round: object
    county: object
    town: object
    village: object
    users: dict


def reissued(text, code):
    """A scheme file with `code` as its issuer, so that it applies to every village under that division
    (the benchmark's villages lie anywhere): bench pages (a county) and bench dashboard (the province)."""
    return "\n".join(f'issuer: "{code}"' if line.startswith("issuer:") else line for line in text.splitlines()) + "\n"


def _scheme(text, county, year):
    """The scheme file with the county as its issuer (the benchmark's villages lie anywhere)."""
    from safestar.schemes.loading import load

    scheme, _ = load(reissued(text, county.code), "bench-pages")
    if scheme.year != year:
        raise BenchError(f"方案年度为 {scheme.year}，与 --year {year} 不一致")
    return scheme


def prepare(scheme_text, year):
    """The accounts, scheme and round the pages need (done once, reused by later runs), the static
    files collected as run.sh does (the pages name their hashed copies), and on SQLite the planner's
    statistics as the worker's daily task keeps them in a running system (core/tasks.py)."""
    call_command("collectstatic", interactive=False, verbosity=0)
    from safestar.core.tasks import refresh_planner_statistics

    from safestar.creation.models import Application, ApplicationStatus
    from safestar.evaluation import services as evaluation
    from safestar.evaluation.models import Round
    from safestar.org.models import Division, User

    town = (Division.objects.filter(code=CHANGGANG, children__level="village").first()
            or Division.objects.filter(level="town", children__level="village").order_by("code").first())
    if town is None:
        raise BenchError("数据库中没有村：请先运行 safestar bench generate")
    county, village = town.parent, town.children.filter(level="village").order_by("code").first()
    anchors = {"county": county, "town": town, "village": village}
    users = {}
    for key, (username, role) in ACCOUNTS.items():
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "division": anchors[key], "full_name": f"基准测试{key}",
                                         "password_changed_at": timezone.now()})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users[key] = user
    scheme = _scheme(scheme_text, county, year)
    round = Round.objects.filter(scheme=scheme, area=county).first()
    if round is None:
        villages = Division.objects.filter(level="village", path__startswith=county.path)
        now = timezone.now()
        Application.objects.bulk_create(
            [Application(village=v, scheme=scheme, year=year, status=ApplicationStatus.CONFIRMED, applied_by=users["town"],
                         applied_at=now, decided_by=users["town"], decided_at=now) for v in villages],
            ignore_conflicts=True)
        round = evaluation.open_round(scheme, county, date(year, 12, 10), date(year, 12, 20), date(year, 12, 31), users["county"])
    refresh_planner_statistics()
    return Setup(scheme, round, county, town, village, users)


class Page(NamedTuple):
    key: str  # what --pages names it by
    label: str
    account: str | None  # None: anonymous
    path: str


REFERENCE = "login"


def pages(setup):
    """What each role opens every day; the first is the trivial reference (anonymous login page)."""
    s, v = setup.scheme.pk, setup.village.code
    return [
        Page(REFERENCE, "参考：登录页（匿名，简单视图）", None, "/login/"),
        Page("town-home", "镇平安办首页", "town", "/"),
        Page("town-dashboard", "镇创建态势（登录后的落地页）", "town", "/dashboard/"),
        Page("village", "村页面", "town", f"/divisions/{v}/"),
        Page("scorecard", "评分卡", "town", f"/schemes/{s}/villages/{v}/"),
        Page("ledger", "台账列表（矛盾纠纷）第 1 页", "town", "/ledgers/disputes/"),
        Page("town-results", "镇排名", "town", f"/schemes/{s}/results/"),
        Page("town-round", "镇看评查轮次", "town", f"/evaluation/{setup.round.pk}/"),
        Page("village-home", "村干部首页", "village", "/"),
        Page("county-home", "县评查员首页", "county", "/"),
        Page("county-dashboard", "县创建态势（登录后的落地页）", "county", "/dashboard/"),
        Page("county-results", "县排名", "county", f"/schemes/{s}/results/"),
        Page("county-round", "县评查轮次", "county", f"/evaluation/{setup.round.pk}/"),
        # the county's pages are one row per town; these are the drill-downs to one town's villages
        Page("county-results-town", "县排名下钻到一个镇", "county", f"/schemes/{s}/results/?division={setup.town.code}"),
        Page("county-round-town", "县评查轮次下钻到一个镇", "county", f"/evaluation/{setup.round.pk}/towns/{setup.town.code}/"),
    ]


def chosen(page_list, keys):
    """The pages named by `keys` (None or empty: all), in the list's order; the reference page always
    comes first, since every page's throughput is reported as a share of it. Unknown keys: BenchError."""
    if not keys:
        return page_list
    unknown = [key for key in keys if key not in {page.key for page in page_list}]
    if unknown:
        raise BenchError(f"没有这些页面：{'、'.join(unknown)}；可选：{'，'.join(page.key for page in page_list)}")
    return [page for page in page_list if page.key == REFERENCE or page.key in keys]


def sessions(setup):
    """A signed-in test client per account (its session cookie is also the load clients')."""
    clients = {None: Client(SERVER_NAME="127.0.0.1")}
    for key, user in setup.users.items():
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        clients[key] = client
    return clients


def queries(clients, page_list):
    """{label: (status, SQL statements, bytes)}, each page fetched once in this process."""
    counted = {}
    with override_settings(SAFESTAR_REQUIRE_2FA=False):
        for _, label, account, path in page_list:
            with CaptureQueriesContext(connection) as captured:
                response = clients[account].get(path)
            counted[label] = (response.status_code, len(captured), len(response.content))
    return counted


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path, cookie):
    connection = HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Server:
    """gunicorn on a free port with this process's settings (DATABASE_URL, SAFESTAR_VAR), as run.sh
    starts it; SAFESTAR_DEMO=1 so the bench accounts are not sent to enrol an authenticator; `stored`
    False: every page drawn afresh (--fresh)."""

    def __init__(self, workers, threads=1, stored=True):
        self.port, self.workers = _free_port(), workers
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = {**os.environ, "SAFESTAR_DEMO": "1", "DJANGO_SETTINGS_MODULE": "safestar.settings",
               "SAFESTAR_STORED_PAGES": "1" if stored else "0"}
        self.log = tempfile.TemporaryFile()  # gunicorn's own log (a pipe nobody reads would block it)
        self.process = subprocess.Popen(
            [str(gunicorn), "safestar.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads),
             "--timeout", "300"],
            env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(300):
            try:
                if _get(self.port, "/login/", None) == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise BenchError("gunicorn 没有在 30 秒内启动：" + self.tail())

    def tail(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def workers_cpu(self):
        """CPU seconds used so far by the gunicorn workers (the processes whose parent is the master)."""
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[1]) == self.process.pid:  # ppid; then utime, stime are fields 12 and 13 after the name
                total += (int(fields[11]) + int(fields[12])) / TICKS
        return total

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def machine_cpu():
    """CPU seconds the whole machine has been busy (all cores, every process: /proc/stat), or None."""
    try:
        values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(values) - values[3] - values[4]) / TICKS  # all but idle and iowait


def own_cpu():
    times = os.times()
    return times.user + times.system


@dataclass
class Load:
    clients: int
    seconds: float
    latencies: list
    errors: int
    cpu: dict  # CPU seconds during the run: "clients" (this process: the client threads), "server", "machine"

    def cpu_ms_per_request(self):
        """{part: CPU ms per successful request}: what the throughput on this machine is made of."""
        done = len(self.latencies)
        return {part: round(seconds * 1000 / done, 2) for part, seconds in self.cpu.items() if seconds is not None and done}

    @property
    def rps(self):
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Writer:
    """A busy office beside the readers (--writes N): while a load runs, N records a second are added
    to the county, each in a village drawn at random (a copy of one of the county's disputes, saved as
    a clerk's new ledger row is). Each makes its village's stored results stale (schemes/written.py):
    the county's and town's pages compute that village again."""

    def __init__(self, setup, per_second, seed=19):
        import random

        from safestar.disputes.models import Dispute
        from safestar.org.models import Division

        self.interval, self.rng, self.done = 1 / per_second, random.Random(seed), 0
        self.villages = list(Division.objects.filter(level="village", path__startswith=setup.county.path).values_list("pk", flat=True))
        self.template = Dispute.objects.filter(division_id__in=self.villages).first()
        if self.template is None:
            raise BenchError(f"{setup.county.name}没有矛盾纠纷记录可供 --writes 复制：请先运行 safestar bench generate")

    def run(self, stop):
        try:
            while not stop.wait(self.interval):
                record = self.template
                record.pk, record.division_id = None, self.rng.choice(self.villages)
                record.save()
                self.done += 1
        finally:
            connection.close()  # this thread's own connection


def load(port, path, cookie, clients, seconds, server=None, writer=None):
    """`clients` threads, each requesting `path` one after another until `seconds` have passed; every
    request started is waited for and counted in the time. The CPU time used meanwhile by this process
    (the client threads), by the server's workers (when `server` is given) and by the whole machine.
    `writer`: a Writer adding records meanwhile (its CPU is this process's)."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                ok = _get(port, path, cookie) == 200
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors[0] += 1

    def cpu():
        machine = machine_cpu()
        return {"clients": own_cpu(), "server": server.workers_cpu() if server else None, "machine": machine}

    threads = [threading.Thread(target=client) for _ in range(clients)]
    stop = threading.Event()
    writing = threading.Thread(target=writer.run, args=(stop,)) if writer else None
    before = cpu()
    start = time.perf_counter()
    for thread in threads + ([writing] if writing else []):
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    if writing:
        writing.join()
    elapsed, after = time.perf_counter() - start, cpu()
    used = {part: (after[part] - before[part] if before[part] is not None and after[part] is not None else None) for part in before}
    return Load(clients, elapsed, latencies, errors[0], used)


def warm(port, path, cookie, workers, rounds=2):
    """`workers` requests at once, `rounds` times, not timed: each worker has most likely served the
    page once (its URLconf, templates and caches loaded) before it is measured."""
    for _ in range(rounds):
        threads = [threading.Thread(target=_get, args=(port, path, cookie)) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def cookie_of(client):
    """The Cookie header of the account's browser: its session and a CSRF cookie (a browser has one from
    the login page; without one no page is sent from the store, core/pages.py)."""
    from django.utils.crypto import get_random_string

    morsel = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if not morsel:
        return ""
    return f"{settings.SESSION_COOKIE_NAME}={morsel.value}; {settings.CSRF_COOKIE_NAME}={get_random_string(32)}"

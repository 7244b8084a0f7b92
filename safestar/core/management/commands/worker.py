"""`safestar worker`: the background worker (django-tasks-db's db_worker) with SafeStar's heartbeat
and schedule thread (core/background.py). Run it beside the web server; scripts/run.sh does."""

from django_tasks_db.management.commands import db_worker

from safestar.core.background import Heartbeat, beat


class Command(db_worker.Command):
    help = "运行后台任务进程（导入、报表、定时清理）；与网站一同运行"

    def handle(self, *args, **options):
        beat()  # pages see the worker at once, not only after the first interval
        heartbeat = Heartbeat()
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stopping.set()

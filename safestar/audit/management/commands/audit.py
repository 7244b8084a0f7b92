import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from safestar.audit.log import RETENTION_DAYS, prune, verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链是否完整；prune 清理保留期（至少180天）以前的事件"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计事件哈希链")
        p = sub.add_parser("prune", help=f"删除某日期之前的事件（该日期须早于{RETENTION_DAYS}天前）；清理本身也记入审计日志")
        p.add_argument("--before", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, action, **options):
        if action == "prune":
            try:
                count = prune(options["before"])
            except ValueError as exc:
                raise CommandError(str(exc))
            self.stdout.write(f"已清理 {count} 条审计事件；其余事件的哈希链仍可校验。")
            return
        count, bad_id, reason = verify()
        if bad_id is None:
            self.stdout.write(f"审计链完整：共校验 {count} 条事件。")
            return
        self.stderr.write(f"审计链损坏：第一条异常事件 id={bad_id}：{reason}（此前 {count} 条正常）")
        sys.exit(1)

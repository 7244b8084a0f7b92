import sys

from django.core.management.base import BaseCommand

from safestar.audit.log import verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链是否完整"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计事件哈希链")

    def handle(self, *args, action, **options):
        count, bad_id, reason = verify()
        if bad_id is None:
            self.stdout.write(f"审计链完整：共校验 {count} 条事件。")
            return
        self.stderr.write(f"审计链损坏：第一条异常事件 id={bad_id}：{reason}（此前 {count} 条正常）")
        sys.exit(1)

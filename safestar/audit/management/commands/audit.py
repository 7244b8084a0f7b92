import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from safestar.audit.chain import checkpoint, format_head, parse_head, read_checkpoints
from safestar.audit.log import RETENTION_DAYS, prune, verify


def _head(text):
    try:
        return parse_head(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链和检查点；checkpoint 记下链头；prune 清理保留期（至少180天）以前的事件"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("verify", help="校验审计事件哈希链，并与检查点文件和给出的检查点核对")
        p.add_argument("--checkpoint", action="append", default=[], metavar="编号:哈希",
                       help="运维人员另外保存的检查点（safestar audit checkpoint 打印的那一行），可给多个")
        p.add_argument("--checkpoint-file", action="append", default=[], metavar="文件",
                       help="另外保存的检查点文件（如检查点文件的副本、备份旁的 .audit-checkpoint 文件），可给多个")
        sub.add_parser("checkpoint", help="把审计链的链头（最后一条事件的编号和哈希）追加到检查点文件并打印出来")
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
        if action == "checkpoint":
            line = checkpoint(note="safestar audit checkpoint")
            self.stdout.write(f"审计链检查点（请另行保存，校验时用 --checkpoint 给出）：{format_head(line)}")
            return
        extra = [(*_head(text), "命令行给出的检查点") for text in options["checkpoint"]]
        for path in options["checkpoint_file"]:
            try:
                extra += read_checkpoints(path, missing_ok=False)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        count, bad_id, reason = verify(extra)
        if bad_id is None:
            self.stdout.write(f"审计链完整：共校验 {count} 条事件。")
            return
        where = f"第一条异常事件 id={bad_id}：" if bad_id else ""
        self.stderr.write(f"审计链损坏：{where}{reason}（此前 {count} 条正常）")
        sys.exit(1)

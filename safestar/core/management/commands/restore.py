import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from safestar.audit.chain import read_checkpoints
from safestar.audit.log import verify
from safestar.core.backup import check_backup_file, checkpoint_path, restore


class Command(BaseCommand):
    # Django's start-up checks probe SQLite with a write transaction (the JSON field check), which
    # can time out under heavy write load and abort the command; nothing here depends on them.
    requires_system_checks = []
    help = "从备份文件恢复整个数据库（覆盖当前全部数据）；须加 --yes 或在终端中输入 yes 确认。恢复期间正在处理的请求可能失败，宜先停止服务"

    def add_arguments(self, parser):
        parser.add_argument("path", help="由 safestar backup 生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库的全部内容")

    def handle(self, *args, path, yes, **options):
        path = check_backup_file(path)  # a wrong file is refused before anyone is asked
        warning = f"恢复将用 {path} 覆盖数据库 {connection.settings_dict['NAME']} 的全部内容，当前数据将丢失。"
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(f"{warning}请加 --yes 确认；未做任何更改。")
            if input(f"{warning}输入 yes 继续：").strip() != "yes":
                raise CommandError("未确认，已取消；未做任何更改。")
        side = checkpoint_path(path)
        try:  # the restored chain must reach the head the backup recorded next to itself
            extra = read_checkpoints(side) if side.exists() else []
        except ValueError as exc:
            raise CommandError(f"{exc}；未做任何更改。") from None
        restore(path)
        count, bad_id, reason = verify(extra)
        self.stdout.write(f"已从 {path} 恢复数据库。")
        if bad_id is None:
            self.stdout.write(f"审计链完整：共校验 {count} 条事件。")
        else:
            self.stderr.write(f"警告：恢复后的审计链损坏：第一条异常事件 id={bad_id}：{reason}")

from django.core.management.base import BaseCommand

from safestar.audit.chain import format_head, read_checkpoints
from safestar.core.backup import backup, checkpoint_path


class Command(BaseCommand):
    # Django's start-up checks probe SQLite with a write transaction (the JSON field check), which
    # can time out under heavy write load and abort the command; nothing here depends on them.
    requires_system_checks = []
    help = "备份整个数据库（系统运行中亦可）：SQLite 为单个 .sqlite3 文件，PostgreSQL 为 pg_dump 自定义格式"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件路径")
        parser.add_argument("--force", action="store_true", help="覆盖已存在的备份文件")

    def handle(self, *args, path, force, **options):
        written, size = backup(path, force=force)
        self.stdout.write(f"已备份数据库到 {written}（{size:,} 字节）。")
        mark_id, mark_hash, _ = read_checkpoints(checkpoint_path(written))[-1]
        self.stdout.write(f"审计链检查点：{format_head({'id': mark_id, 'hash': mark_hash})}"
                          f"（已写入 {checkpoint_path(written)}，请与备份一同保存）")

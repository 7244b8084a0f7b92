"""`safestar keys status` and `safestar keys rotate`: the operator's handle on field encryption keys.

Never prints key material: only key ids, counts and where the keys come from.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safestar.audit.log import record
from safestar.core import crypto


class Command(BaseCommand):
    help = "字段加密密钥：status 查看当前密钥；rotate 生成新密钥并重新加密全部加密字段"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="显示当前密钥编号、密钥数量和来源（不显示密钥内容）")
        rotate = sub.add_parser("rotate", help="生成新密钥并设为当前密钥，再用它重新加密全部数据")
        rotate.add_argument(
            "--no-new-key",
            action="store_false",
            dest="new_key",
            help="不生成新密钥，只把仍由旧密钥加密的数据改用当前密钥（中断后续做，或手工改了环境变量之后）",
        )

    def handle(self, *args, action, **options):
        try:
            if action == "status":
                self.status()
            else:
                self.rotate(options["new_key"])
        except ImproperlyConfigured as e:
            raise CommandError(str(e)) from None

    def status(self):
        ring = crypto.keyring()
        source = "环境变量 SAFESTAR_FIELD_KEYS" if ring.source == "env" else f"密钥文件 {settings.SAFESTAR_KEY_FILE}"
        self.stdout.write(f"当前密钥：{ring.current}")
        self.stdout.write(f"密钥数量：{len(ring.keys)}（{'、'.join(ring.keys)}）")
        self.stdout.write(f"密钥来源：{source}")

    def rotate(self, new_key):
        before = crypto.keyring().current
        with transaction.atomic():
            counts = crypto.rotate_keys(new_key=new_key)
            current = crypto.keyring().current
            total = sum(counts.values())
            record(
                "update",
                object_repr=f"字段加密密钥轮换：{before} → {current}，重新加密 {total} 个值",
                changes={"current_key": [before, current], "reencrypted": counts},
            )
        if new_key:
            self.stdout.write(f"已生成新密钥 {current} 并设为当前密钥（旧密钥保留在密钥文件中，用于解密）。")
        else:
            self.stdout.write(f"当前密钥仍为 {current}。")
        if not counts:
            self.stdout.write("没有使用加密字段的模型，无需重新加密。")
        for label, count in counts.items():
            self.stdout.write(f"{label}：重新加密 {count} 个值")
        self.stdout.write(f"合计重新加密 {total} 个值。")
        if new_key:
            self.stdout.write(
                "请重启全部服务进程，使新写入的数据也使用新密钥；重启后再运行 "
                "`safestar keys rotate --no-new-key`，处理重启前仍用旧密钥写入的数据。"
            )

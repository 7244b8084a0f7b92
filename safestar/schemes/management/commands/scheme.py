import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safestar.schemes.loading import load, validate
from safestar.schemes.validate import SchemeError
from safestar.core.numbers import figure


class Command(BaseCommand):
    help = "创建方案：validate 文件（只检查）；load 文件（检查并载入，已被评查使用的方案载入为新版本）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("validate", help="检查方案文件").add_argument("file")
        sub.add_parser("load", help="检查并载入方案文件").add_argument("file")

    def handle(self, *args, action, file, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}")
        try:
            if action == "validate":
                spec = validate(text, file)
                self.stdout.write(f"{file}：方案有效。{spec.name}，{len(spec.indicators())} 个指标，{len(spec.vetoes)} 个否决项，总分 {figure(spec.total)}。")
                return
            scheme, new = load(text, file)
        except SchemeError as exc:
            self.stderr.write(f"{file}：方案有 {len(exc.errors)} 处错误，未载入：")
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            sys.exit(1)
        self.stdout.write(f"已{'载入' if new else '更新'}：{scheme}（编号 {scheme.pk}）")

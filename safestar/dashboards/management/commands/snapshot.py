from django.core.management.base import BaseCommand, CommandError

from safestar.dashboards.snapshots import take


class Command(BaseCommand):
    help = "手工记录各村本年度实时得分的月度快照（创建态势的月度趋势），同月再运行则以最后一次为准；往年的快照记为该年 12 月；平时由后台任务进程每月自动记录（dashboards.tasks.monthly_snapshot）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（默认今年）")

    def handle(self, *args, year=None, **options):
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"年度应在 2000 到 2100 之间，实际为 {year}")
        try:
            n = take(year)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已记录 {n} 个村的月度快照。")

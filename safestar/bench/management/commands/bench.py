import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safestar.bench import generate as bench
from safestar.bench import timing
from safestar.org.models import Division
from safestar.schemes.loading import load
from safestar.schemes.services import villages_under
from safestar.schemes.validate import SchemeError

DEFAULT_SCHEME = "schemes/changgang-2023-pingan.yaml"


class Command(BaseCommand):
    help = (
        "全省规模基准测试（只用于专用的空数据库）：generate 生成河南全省区划、每乡镇若干村及一年的台账数据；"
        "evaluate 在同一次运行中对比完整评查与其所需裸聚合查询的耗时"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="生成基准数据（拒绝写入已有账号、部门或村的数据库）")
        generate.add_argument("--villages-per-town", type=int, default=20, help="每个乡镇的村数（默认 20）")
        generate.add_argument("--towns", type=int, default=None, help="只给按代码排序的前 N 个乡镇建村（默认全部 2586 个）")
        generate.add_argument("--year", type=int, default=2023)
        generate.add_argument("--seed", type=int, default=1)
        evaluate = sub.add_parser("evaluate", help="计时：裸聚合查询 vs 完整评查")
        evaluate.add_argument("--year", type=int, default=2023)
        evaluate.add_argument("--division", default=bench.PROVINCE, help="评查范围（默认河南省 410000000000）")
        evaluate.add_argument("--scheme", default=DEFAULT_SCHEME, help=f"方案文件（默认 {DEFAULT_SCHEME}）")
        evaluate.add_argument("--repeat", type=int, default=3, help="重复次数，取中位数（默认 3）")
        dashboard = sub.add_parser("dashboard", help="计时：一个县（市）的创建态势看板（dashboards.board.compute）")
        dashboard.add_argument("--year", type=int, default=2023)
        dashboard.add_argument("--division", required=True, help="县或市的区划代码（看板按其下一级区划比较）")
        dashboard.add_argument("--scheme", default=DEFAULT_SCHEME, help=f"方案文件（默认 {DEFAULT_SCHEME}，以河南省为发布单位载入，适用于所有村）")
        dashboard.add_argument("--repeat", type=int, default=3, help="重复次数，取中位数（默认 3）")

    def handle(self, *args, action, **options):
        try:
            if action == "generate":
                self._generate(**options)
            elif action == "dashboard":
                self._dashboard(**options)
            else:
                self._evaluate(**options)
        except bench.BenchError as exc:
            raise CommandError(str(exc))

    def _generate(self, villages_per_town, towns, year, seed, **options):
        self.stdout.write(f"生成基准数据：{bench.database_label()}，{year}年，每乡镇 {villages_per_town} 个村，"
                          f"{'全部乡镇' if towns is None else f'前 {towns} 个乡镇'}，随机种子 {seed}")
        report = bench.generate(villages_per_town, towns, year, seed, progress=self.stdout.write)
        self.stdout.write(f"完成：{report.towns} 个乡镇，{report.villages} 个村，台账记录 {report.records} 条。")
        for label, rows in report.rows.items():
            self.stdout.write(f"  {label:28} {rows:>10}")
        self.stdout.write("耗时：" + "，".join(f"{phase} {seconds:.1f} 秒" for phase, seconds in report.seconds.items()))
        self.stdout.write(json.dumps({
            "database": bench.connection.vendor, "towns": report.towns, "villages": report.villages,
            "records": report.records, "rows": report.rows, "seconds": {k: round(v, 2) for k, v in report.seconds.items()},
        }, ensure_ascii=False))

    def _evaluate(self, year, division, scheme, repeat, **options):
        bench.ensure_dedicated_database()  # loading the scheme writes to the database
        place = Division.objects.filter(code=division).first()
        if place is None:
            raise CommandError(f"区划 {division} 不存在：请先运行 safestar bench generate")
        path = Path(scheme)
        if not path.exists() and not path.is_absolute():
            path = Path(settings.BASE_DIR).parent / scheme  # the project's schemes/ folder, from anywhere
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取方案文件 {scheme}：{exc.strerror}")
        try:
            loaded, _ = load(text, str(scheme))
        except SchemeError as exc:
            raise CommandError(f"方案文件 {scheme} 有 {len(exc.errors)} 处错误：" + "；".join(map(str, exc.errors)))
        if loaded.year != year:
            raise CommandError(f"方案年度为 {loaded.year}，与 --year {year} 不一致")
        villages = villages_under(place)
        self.stdout.write(f"基准评查：{loaded.name}，{year}年，{place.name}（{place.code}）下的村；数据库 {bench.database_label()}")
        result = timing.run_evaluation(loaded, villages, repeat=repeat)
        fmt = lambda runs: "、".join(f"{x:.3f}" for x in runs)  # noqa: E731
        median = timing.statistics.median
        self.stdout.write(f"村数：{result.villages}；重复 {result.repeat} 次（另有 1 次预热不计），取中位数；"
                          f"结束时系统负载 {'/'.join(f'{x:.1f}' for x in result.load)}（{os.cpu_count()} 核）。")
        self.stdout.write(
            f"  裸聚合查询（facts.gather() 所发的同一组查询：各指标 compute()、record_stats()、案事件查询，取回结果）："
            f"中位数 {result.bare_median:.3f} 秒（各次 {fmt(result.bare)}；CPU {median(result.bare_cpu):.3f} 秒），SQL {result.bare_queries} 条"
        )
        self.stdout.write(
            f"  完整评查（services.results()：村列表、取数、人工评分、评分引擎、排名）："
            f"中位数 {result.full_median:.3f} 秒（各次 {fmt(result.full)}；CPU {median(result.full_cpu):.3f} 秒），SQL {result.full_queries} 条"
        )
        self.stdout.write("  完整评查分解（另跑一次）：" + "，".join(f"{k} {v:.3f}" for k, v in result.breakdown.items()) + " 秒")
        self.stdout.write(f"  参考：用游标直接执行同样的 {result.bare_queries} 条 SQL 并取回全部行：中位数 {result.raw_median:.3f} 秒")
        if not result.same_sql:
            self.stdout.write(self.style.WARNING("  注意：裸聚合查询与 facts.gather() 实际发出的 SQL 不一致，请检查 facts.plan()"))
        verdict = "达到目标" if result.target_met else "未达到目标"
        self.stdout.write(
            f"完整评查 / 裸聚合 = {result.ratio:.2f} 倍（按 CPU 时间 {result.cpu_ratio:.2f} 倍）：{verdict}（目标 ≤ {timing.TARGET:g} 倍，按耗时中位数）"
        )
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def _dashboard(self, year, division, scheme, repeat, **options):
        """The county (or city) dashboard as its evaluator opens it: an account of that level, not
        saved (the benchmark database has no accounts), reading through the same scope."""
        from safestar.dashboards.board import compute
        from safestar.org.models import User
        from safestar.org.roles import SPECS, Level

        bench.ensure_dedicated_database()
        place = Division.objects.filter(code=division, level__in=[Level.CITY, Level.COUNTY]).first()
        if place is None:
            raise CommandError(f"县或市 {division} 不存在：请先运行 safestar bench generate")
        text = (Path(settings.BASE_DIR).parent / scheme).read_text(encoding="utf-8")
        text = text.replace('issuer: "411422100000"', f'issuer: "{bench.PROVINCE}"')
        try:
            load(text, str(scheme))
        except SchemeError as exc:
            raise CommandError(f"方案文件 {scheme} 有 {len(exc.errors)} 处错误：" + "；".join(map(str, exc.errors)))
        role = next(s.role for s in SPECS.values() if place.level in s.anchor_levels and s.allows("dashboards.view"))
        user = User(username="bench", role=role, division=place, is_active=True)
        result = timing.run_dashboard(compute, user, place, year, repeat=repeat)
        self.stdout.write(f"创建态势看板：{place.name}（{place.code}），{year}年，{result['villages']} 个村、{result['rows']} 个下级区划；"
                          f"数据库 {bench.database_label()}；重复 {repeat} 次（另有 1 次预热不计）")
        self.stdout.write(f"  中位数 {result['median_s']:.3f} 秒（各次 {'、'.join(f'{x:.3f}' for x in result['runs_s'])}），SQL {result['queries']} 条；"
                          f"系统负载 {'/'.join(f'{x:.1f}' for x in result['load'])}（{os.cpu_count()} 核）")
        self.stdout.write(json.dumps(result, ensure_ascii=False))

import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safestar.bench import generate as bench
from safestar.bench import pages as page_bench
from safestar.bench import timing
from safestar.org.models import Division
from safestar.schemes.loading import load
from safestar.schemes.services import villages_under
from safestar.schemes.validate import SchemeError

DEFAULT_SCHEME = "schemes/changgang-2023-pingan.yaml"
CPU_PARTS = {"clients": "客户端线程", "server": "gunicorn 工作进程", "machine": "整机"}


class Command(BaseCommand):
    help = (
        "全省规模基准测试（只用于专用的空数据库）：generate 生成河南全省区划、每乡镇若干村及一年的台账数据；"
        "evaluate 在同一次运行中对比完整评查与其所需裸聚合查询的耗时；pages 用 gunicorn 压测常用页面"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="生成基准数据（拒绝写入已有账号、部门或村的数据库）")
        generate.add_argument("--villages-per-town", type=int, default=20, help="每个乡镇的村数（默认 20）")
        generate.add_argument("--towns", type=int, default=None, help="只给按代码排序的前 N 个乡镇建村（默认全部 2586 个）")
        generate.add_argument("--year", type=int, default=2023)
        generate.add_argument("--seed", type=int, default=1)
        generate.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                              help="生成记录的进程数（写入仍由本进程完成，数据与 1 个进程时完全相同；默认为核数）")
        evaluate = sub.add_parser("evaluate", help="计时：裸聚合查询 vs 完整评查")
        evaluate.add_argument("--year", type=int, default=2023)
        evaluate.add_argument("--division", default=bench.PROVINCE, help="评查范围（默认河南省 410000000000）")
        evaluate.add_argument("--scheme", default=DEFAULT_SCHEME, help=f"方案文件（默认 {DEFAULT_SCHEME}）")
        evaluate.add_argument("--repeat", type=int, default=timing.REPEAT,
                              help=f"重复次数，报告中位数和最小值（默认 {timing.REPEAT}）")

        pages = sub.add_parser("pages", help="页面基准：各角色常用页面的查询数、单客户端和多客户端的 p50/p95 与吞吐")
        pages.add_argument("--year", type=int, default=2023)
        pages.add_argument("--scheme", default=DEFAULT_SCHEME, help=f"方案文件（默认 {DEFAULT_SCHEME}）")
        pages.add_argument("--clients", default="1,32", help="并发客户端数，逗号分隔（默认 1,32）")
        pages.add_argument("--seconds", type=float, default=15, help="每个页面、每种并发压测的秒数（默认 15）")
        pages.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                           help="gunicorn 工作进程数（默认与 scripts/run.sh 相同：2 × 核数 + 1）")
        pages.add_argument("--threads", type=int, default=1, help="每个工作进程的线程数（默认 1：同步工作进程）")
        pages.add_argument("--pages", default="", help="只测这些页面，逗号分隔的页面名（如 ledger,scorecard；默认全部；参考页总是测）")
        pages.add_argument("--writes", type=float, default=0,
                           help="压测期间每秒在本县随机的村新增几条台账记录（繁忙的办公室；默认 0：只读）")
        pages.add_argument("--fresh", action="store_true",
                           help="每次都重新绘制页面，不发送存下的页面（SAFESTAR_STORED_PAGES=0；默认发送未变的存页）")
        dashboard = sub.add_parser("dashboard", help="计时：一个县（市）的创建态势看板（dashboards.board.compute）")
        dashboard.add_argument("--year", type=int, default=2023)
        dashboard.add_argument("--division", required=True, help="县或市的区划代码（看板按其下一级区划比较）")
        dashboard.add_argument("--scheme", default=DEFAULT_SCHEME, help=f"方案文件（默认 {DEFAULT_SCHEME}，以河南省为发布单位载入，适用于所有村）")
        dashboard.add_argument("--repeat", type=int, default=timing.REPEAT, help=f"重复次数，取中位数（默认 {timing.REPEAT}）")

        imports = sub.add_parser("import", help="导入吞吐：检查、写入与裸插入同样的行对比，查询数、峰值内存、同时保存的等待")
        imports.add_argument("--rows", type=int, default=20000, help="行数（默认 20000）")
        imports.add_argument("--user", default="village1", help="导入的账号（默认演示账号 village1）")
        imports.add_argument("--ledger", default="disputes", help="台账（默认 disputes）")
        imports.add_argument("--yes", action="store_true", help="确认：会真的写入这些记录和审计事件，只在临时的演示数据库上运行")

    def handle(self, *args, action, **options):
        try:
            if action == "import":
                self._import(**options)
                return
            if action == "generate":
                self._generate(**options)
            elif action == "pages":
                self._pages(**options)
            elif action == "dashboard":
                self._dashboard(**options)
            else:
                self._evaluate(**options)
        except bench.BenchError as exc:
            raise CommandError(str(exc))

    def _generate(self, villages_per_town, towns, year, seed, jobs, **options):
        self.stdout.write(f"生成基准数据：{bench.database_label()}，{year}年，每乡镇 {villages_per_town} 个村，"
                          f"{'全部乡镇' if towns is None else f'前 {towns} 个乡镇'}，随机种子 {seed}")
        report = bench.generate(villages_per_town, towns, year, seed, progress=self.stdout.write, jobs=jobs)
        self.stdout.write(f"完成：{report.towns} 个乡镇，{report.villages} 个村，台账记录 {report.records} 条。")
        for label, rows in report.rows.items():
            self.stdout.write(f"  {label:28} {rows:>10}")
        self.stdout.write("耗时：" + "，".join(f"{phase} {seconds:.1f} 秒" for phase, seconds in report.seconds.items())
                          + f"；生成记录的进程 {report.jobs} 个，本进程用于台账记录的 CPU 时间 {report.cpu:.1f} 秒"
                          + f"；结束时系统负载 {'/'.join(f'{x:.1f}' for x in os.getloadavg())}（{os.cpu_count()} 核）")
        self.stdout.write(json.dumps({
            "database": bench.connection.vendor, "towns": report.towns, "villages": report.villages,
            "records": report.records, "rows": report.rows, "seconds": {k: round(v, 2) for k, v in report.seconds.items()},
            "jobs": report.jobs, "cpu_s": round(report.cpu, 2), "loadavg": [round(x, 2) for x in os.getloadavg()],
        }, ensure_ascii=False))

    def _import(self, rows, user, ledger, yes, **options):
        from safestar.bench import imports

        if not yes:
            raise CommandError("拒绝执行：导入基准会真的写入记录和审计事件。请在临时的演示数据库上运行"
                               "（如 SAFESTAR_VAR=/tmp/bench-import safestar migrate && safestar demo），并加 --yes。")
        self.stdout.write(f"导入基准：{bench.database_label()}，{ledger} 台账 {rows} 行，账号 {user}")
        self.stdout.write(json.dumps(imports.run(rows, user, ledger), ensure_ascii=False))

    def _scheme_text(self, scheme):
        path = Path(scheme)
        if not path.exists() and not path.is_absolute():
            path = Path(settings.BASE_DIR).parent / scheme  # the project's schemes/ folder, from anywhere
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取方案文件 {scheme}：{exc.strerror}")

    def _evaluate(self, year, division, scheme, repeat, **options):
        bench.ensure_dedicated_database()  # loading the scheme writes to the database
        place = Division.objects.filter(code=division).first()
        if place is None:
            raise CommandError(f"区划 {division} 不存在：请先运行 safestar bench generate")
        text = self._scheme_text(scheme)
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
        self.stdout.write(f"村数：{result.villages}；重复 {result.repeat} 次（另有 1 次预热不计），取中位数和最小值；"
                          f"结束时系统负载 {'/'.join(f'{x:.1f}' for x in result.load)}（{os.cpu_count()} 核）。")
        self.stdout.write(
            f"  裸聚合查询（facts.gather() 所发的同一组查询：各指标 compute()、record_stats()、案事件查询，取回结果）："
            f"中位数 {result.bare_median:.3f} 秒，最小 {min(result.bare):.3f} 秒（各次 {fmt(result.bare)}；CPU {median(result.bare_cpu):.3f} 秒），SQL {result.bare_queries} 条"
        )
        self.stdout.write(
            f"  完整评查（services.results()：村列表、取数、人工评分、评分引擎、排名）："
            f"中位数 {result.full_median:.3f} 秒，最小 {min(result.full):.3f} 秒（各次 {fmt(result.full)}；CPU {median(result.full_cpu):.3f} 秒），SQL {result.full_queries} 条"
        )
        self.stdout.write("  完整评查分解（另跑一次）：" + "，".join(f"{k} {v:.3f}" for k, v in result.breakdown.items()) + " 秒")
        self.stdout.write(f"  参考：用游标直接执行同样的 {result.bare_queries} 条 SQL 并取回全部行：中位数 {result.raw_median:.3f} 秒")
        if not result.same_sql:
            self.stdout.write(self.style.WARNING("  注意：裸聚合查询与 facts.gather() 实际发出的 SQL 不一致，请检查 facts.plan()"))
        verdict = "达到目标" if result.target_met else "未达到目标"
        self.stdout.write(
            f"完整评查 / 裸聚合 = {result.ratio:.2f} 倍（按最小值 {result.min_ratio:.2f} 倍，按 CPU 时间 {result.cpu_ratio:.2f} 倍）：{verdict}（目标 ≤ {timing.TARGET:g} 倍，按耗时中位数）"
        )
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def _pages(self, year, scheme, clients, seconds, workers, threads, pages, writes, fresh, **options):
        bench.ensure_dedicated_database()
        try:
            counts = [int(x) for x in clients.split(",") if x.strip()]
        except ValueError:
            raise CommandError(f"--clients 应为逗号分隔的整数，而不是“{clients}”")
        if not counts or min(counts) < 1 or seconds <= 0 or workers < 1 or threads < 1 or writes < 0:
            raise CommandError("--clients、--seconds、--workers、--threads 都应大于 0，--writes 不能小于 0")
        try:
            setup = page_bench.prepare(self._scheme_text(scheme), year)
        except SchemeError as exc:
            raise CommandError(f"方案文件 {scheme} 有 {len(exc.errors)} 处错误：" + "；".join(map(str, exc.errors)))
        page_list = page_bench.chosen(page_bench.pages(setup), [key.strip() for key in pages.split(",") if key.strip()])
        villages = Division.objects.filter(level="village").count()
        county_villages = villages_under(setup.county).count()
        self.stdout.write(
            f"页面基准：数据库 {bench.database_label()}，共 {villages} 个村；测试的镇 {setup.town.name}（{setup.town.code}，"
            f"{setup.town.children.count()} 个村），县 {setup.county.name}（{county_villages} 个村，评查轮次 {setup.round.pk}）；"
            f"gunicorn {workers} 个工作进程" + (f"、各 {threads} 个线程" if threads > 1 else "") + f"，{os.cpu_count()} 核；每种并发压测 {seconds:g} 秒"
            + (f"，同时每秒在本县随机的村新增 {writes:g} 条台账记录" if writes else "，只读")
            + ("；每次重新绘制页面（--fresh）" if fresh else "；未变的页面从存页发送（同一账号的客户端共用一个浏览器）"))
        clients_by_account = page_bench.sessions(setup)
        counted = page_bench.queries(clients_by_account, page_list)
        server = page_bench.Server(workers, threads, stored=not fresh)
        report = []
        try:
            for key, label, account, path in page_list:
                status, sql, size = counted[label]
                cookie = page_bench.cookie_of(clients_by_account[account])
                page_bench.warm(server.port, path, cookie, workers * threads)
                runs = {n: page_bench.load(server.port, path, cookie, n, seconds, server, page_bench.Writer(setup, writes) if writes else None)
                        for n in counts}
                self.stdout.write(f"  {label}〔{key}〕（{path}，{account or '匿名'}）：HTTP {status}，SQL {sql} 条，{size // 1024} KB")
                for n, run in runs.items():
                    self.stdout.write(
                        f"      {n:>3} 个客户端：p50 {run.percentile(50) * 1000:.0f} ms，p95 {run.percentile(95) * 1000:.0f} ms，"
                        f"{run.rps:.1f} 次/秒（{len(run.latencies)} 次成功，{run.errors} 次失败）；每次 CPU "
                        + "，".join(f"{CPU_PARTS[part]} {ms:.1f} ms" for part, ms in run.cpu_ms_per_request().items()))
                report.append({"page": label, "key": key, "path": path, "account": account, "status": status, "queries": sql, "bytes": size,
                               "runs": {str(n): {"p50_ms": round(r.percentile(50) * 1000, 1), "p95_ms": round(r.percentile(95) * 1000, 1),
                                                 "rps": round(r.rps, 2), "ok": len(r.latencies), "errors": r.errors,
                                                 "cpu_ms_per_request": r.cpu_ms_per_request()} for n, r in runs.items()}})
        finally:
            server.stop()
        if any(run["errors"] for row in report for run in row["runs"].values()):
            self.stdout.write(self.style.WARNING("有请求失败，gunicorn 日志末尾：\n" + server.tail()))
        reference = report[0]["runs"]
        for row in report[1:]:
            shares = {n: (row["runs"][n]["rps"] / reference[n]["rps"] if reference[n]["rps"] else 0) for n in reference}
            row["share_of_reference"] = {n: round(x, 3) for n, x in shares.items()}
        self.stdout.write("吞吐与参考页（登录页）之比：" + "；".join(
            f"{row['page']} " + "/".join(f"{row['share_of_reference'][n]:.2f}" for n in reference) for row in report[1:]))
        self.stdout.write(f"结束时系统负载 {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
        self.stdout.write(json.dumps({"database": bench.connection.vendor, "villages": villages, "county_villages": county_villages,
                                      "workers": workers, "threads": threads, "seconds": seconds, "writes_per_second": writes, "stored_pages": not fresh, "loadavg": [round(x, 2) for x in os.getloadavg()],
                                      "pages": report}, ensure_ascii=False))

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
        text = page_bench.reissued(self._scheme_text(scheme), bench.PROVINCE)
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

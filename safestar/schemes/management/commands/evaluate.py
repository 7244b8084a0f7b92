import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safestar.org.models import Division
from safestar.schemes.loading import applicable
from safestar.schemes.models import Scheme
from safestar.schemes.services import as_json as result_json
from safestar.schemes.services import results, villages_under
from safestar.core.numbers import figure


class Command(BaseCommand):
    help = "按创建方案评定某区划下的每个村：safestar evaluate --year 2023 --division 411422100000 --json"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--division", required=True, help="区划代码（乡镇、县……）")
        parser.add_argument("--star", default="平安法治星")
        parser.add_argument("--scheme", type=int, help="方案编号（默认：适用于该区划和年度的最新版本）")
        parser.add_argument("--manual", help='人工评分 JSON 文件：[{"village": "411422100201", "indicator": "C1.5", "points": 2, "reason": "…"}]')
        parser.add_argument("--json", action="store_true", dest="as_json", help="输出 JSON")

    def handle(self, *args, year, division, star, scheme, manual, as_json, **options):
        place = Division.objects.filter(code=division).first()
        if place is None:
            raise CommandError(f"区划 {division} 不存在")
        if scheme:
            chosen = Scheme.objects.filter(pk=scheme).first()
        else:
            chosen = next((s for s in applicable(place, year) if s.star == star), None)
        if chosen is None:
            raise CommandError(f"{place.name}在{year}年没有适用的“{star}”创建方案（先用 safestar scheme load 载入）")
        villages = villages_under(place)
        ranked = results(chosen, villages, self._manual(manual, villages))
        if as_json:
            self.stdout.write(json.dumps([result_json(r) for r in ranked], ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{chosen}：{place.name} {len(ranked)} 个村")
        for r in ranked:
            reasons = "；".join([f"否决：{v.title}" for v in r.vetoes] + [f"{i.code} 失{figure(i.lost)}分" for i in r.main_losses()])
            self.stdout.write(f"{r.rank or '—':>3} {r.name:8} {r.total:6.2f} {r.status}{(' ' + r.band) if r.band else ''}  {reasons}")

    def _manual(self, path, villages):
        if not path:
            return {}
        ids = dict(villages.values_list("code", "id"))
        try:
            items = json.loads(Path(path).read_text(encoding="utf-8"))
            return {(ids[i["village"]], i["indicator"]): (float(i["points"]), i.get("reason", "")) for i in items}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"人工评分文件 {path} 无法读取：{exc}")


from django.core.management.base import BaseCommand, CommandError

from safestar.org.services import BUNDLED_CSV, DivisionFileError, load_divisions, read_division_csv, subtree


class Command(BaseCommand):
    help = "导入行政区划代码 CSV（列：code,name,level,parent_code），已存在的按代码更新"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(BUNDLED_CSV), help="CSV 文件，默认为随系统附带的河南省区划（2023）")
        parser.add_argument("--under", metavar="CODE", help="只导入该区划（含其上级和全部下级）")

    def handle(self, *args, file, under, **options):
        try:
            rows = read_division_csv(file)
            if under:
                rows = subtree(rows, under)
        except (OSError, DivisionFileError) as exc:
            raise CommandError(str(exc))
        count = load_divisions(rows)
        self.stdout.write(f"已导入 {count} 个行政区划。")

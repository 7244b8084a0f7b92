from django.core.management.base import BaseCommand

from safestar.core import import_docs


class Command(BaseCommand):
    help = "生成 docs/ledgers.md 中“导入时认得的列名和写法”一节（由台账声明生成）；--write 写回文件"

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="写回 docs/ledgers.md")

    def handle(self, *args, write=False, **options):
        if write:
            import_docs.write()
            self.stdout.write("已更新 docs/ledgers.md")
        else:
            self.stdout.write(import_docs.render())

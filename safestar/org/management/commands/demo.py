from django.core.management.base import BaseCommand

from safestar.org.models import Division
from safestar.org.demo import ACCOUNTS, DEFAULT_PASSWORD, DEMO_YEAR, demo_modules, load_demo


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）：睢县区划、长岗镇20个村、平岗镇5个村、部门和各角色演示账号"

    def handle(self, *args, **options):
        load_demo()
        # Each app that keeps demo records has a demo_data.py with load(year); all are idempotent.
        for module in demo_modules():
            module.load(DEMO_YEAR)
        self.stdout.write(f"演示数据已就绪。演示账号（密码取 SAFESTAR_DEMO_PASSWORD，未设置时为 {DEFAULT_PASSWORD}）：")
        names = dict(Division.objects.filter(code__in=[a[3] for a in ACCOUNTS]).values_list("code", "name"))
        for username, full_name, role, code, department in ACCOUNTS:
            self.stdout.write(f"  {username:10} {role.label}（{department or names[code]}）")

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from safestar.audit.log import record
from safestar.org.models import ApiToken, User


class Command(BaseCommand):
    help = "接口令牌：create 登录名（输出吊销用的前缀，最后一行输出令牌）；revoke 前缀"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("create", help="为账号签发新令牌").add_argument("username")
        sub.add_parser("revoke", help="吊销令牌").add_argument("prefix")

    def handle(self, *args, action, **options):
        if action == "create":
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"账号 {options['username']} 不存在或已停用")
            with transaction.atomic():
                obj, token = ApiToken.issue(user)
                record("token", user, object_repr=f"为 {user.username} 签发接口令牌 {obj.prefix}…")
            self.stdout.write(f"已为 {user.username} 签发令牌，前缀 {obj.prefix}（吊销：safestar token revoke {obj.prefix}）。")
            self.stdout.write("令牌只显示这一次，请妥善保存：")
            self.stdout.write(token)
        else:
            with transaction.atomic():
                n = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).update(revoked_at=timezone.now())
                if n:
                    record("update", object_repr=f"吊销接口令牌 {options['prefix']}…")
            if not n:
                revoked = ApiToken.objects.filter(prefix=options["prefix"]).exists()
                why = "该前缀的令牌都已吊销" if revoked else "没有这个前缀的令牌（前缀是令牌的前 8 个字符，签发时已显示）"
                raise CommandError(f"未吊销任何令牌：{why}：{options['prefix']}")
            self.stdout.write(f"已吊销 {n} 个令牌。")

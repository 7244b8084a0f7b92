from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "safestar.org"
    verbose_name = "组织与账号"

    def ready(self):
        from . import signals  # noqa: F401  (login/logout audit)

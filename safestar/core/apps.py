from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safestar.core"
    verbose_name = "公共"

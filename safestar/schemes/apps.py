from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "safestar.schemes"
    verbose_name = "创建方案与评分"

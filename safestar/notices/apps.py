from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "safestar.notices"
    verbose_name = "通知"

from django.apps import AppConfig


class NilReturnsConfig(AppConfig):
    name = "safestar.nilreturns"
    verbose_name = "零报告"

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "safestar.bench"
    verbose_name = "基准测试"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safestar.reports"
    verbose_name = "工作汇报"

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "safestar.incidents"
    verbose_name = "案事件"

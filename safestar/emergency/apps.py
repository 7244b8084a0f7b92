from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "safestar.emergency"
    verbose_name = "应急能力"

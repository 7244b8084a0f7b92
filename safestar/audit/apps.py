from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safestar.audit"
    verbose_name = "审计"

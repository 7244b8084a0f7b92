from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safestar.safety"
    verbose_name = "安全隐患"

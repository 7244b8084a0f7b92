from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "safestar.security"
    verbose_name = "治安防控"

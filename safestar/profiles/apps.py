from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "safestar.profiles"
    verbose_name = "村基本情况"

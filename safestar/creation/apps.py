from django.apps import AppConfig


class CreationConfig(AppConfig):
    name = "safestar.creation"
    verbose_name = "创建与督导"

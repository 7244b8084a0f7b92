from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "safestar.publicity"
    verbose_name = "宣传"

from django.apps import AppConfig


class ReligionConfig(AppConfig):
    name = "safestar.religion"
    verbose_name = "宗教事务"

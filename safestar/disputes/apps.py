from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "safestar.disputes"
    verbose_name = "矛盾纠纷"

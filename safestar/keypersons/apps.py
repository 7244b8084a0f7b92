from django.apps import AppConfig


class KeyPersonsConfig(AppConfig):
    name = "safestar.keypersons"
    verbose_name = "重点人员"

    def ready(self):
        from . import metrics, panels  # noqa: F401  (registers the metrics and the village panel)

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "safestar.evaluation"
    verbose_name = "年度评查"

    def ready(self):
        from safestar.incidents.services import incident_recognised, recognition_withdrawn

        from . import panels  # noqa: F401  (the village-page panel)
        from .stars import on_incident_recognised, on_recognition_withdrawn

        incident_recognised.connect(on_incident_recognised, dispatch_uid="evaluation-withdraw-star")
        recognition_withdrawn.connect(on_recognition_withdrawn, dispatch_uid="evaluation-restore-star")

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "safestar.dashboards"
    verbose_name = "创建态势与预测预警"
    default_auto_field = "django.db.models.BigAutoField"


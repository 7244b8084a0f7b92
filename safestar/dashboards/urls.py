from django.urls import path

from . import views

urlpatterns = [
    path("start/", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/warnings/", views.warning_list, name="dashboard-warnings"),
]

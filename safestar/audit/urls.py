from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.event_list, name="audit-events"),
    path("audit/export.xlsx", views.event_export, name="audit-export"),
]

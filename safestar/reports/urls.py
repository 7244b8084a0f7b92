from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.requirement_list, name="report-requirements"),
    path("reports/new/", views.requirement_add, name="report-requirement-add"),
    path("reports/<id:pk>/", views.requirement_detail, name="report-requirement"),
    path("reports/<id:pk>/periods/<id:number>/start/", views.report_start, name="report-start"),
    path("reports/<id:pk>/periods/<id:number>/<str:code>/summary.docx", views.town_summary, name="report-summary"),
    path("reports/filed/<id:pk>/", views.report_detail, name="report"),
    path("reports/filed/<id:pk>/edit/", views.report_edit, name="report-edit"),
    path("reports/filed/<id:pk>/transition/", views.report_transition, name="report-transition"),
]

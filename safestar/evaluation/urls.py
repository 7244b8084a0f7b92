from django.urls import path

from . import views

urlpatterns = [
    path("evaluation/", views.round_list, name="evaluation-rounds"),
    path("evaluation/new/", views.round_add, name="evaluation-round-add"),
    path("evaluation/stars/", views.star_list, name="evaluation-stars"),
    path("evaluation/<id:pk>/", views.round_detail, name="evaluation-round"),
    path("evaluation/<id:pk>/towns/<str:code>/", views.round_town, name="evaluation-round-town"),
    path("evaluation/<id:pk>/towns/<str:code>/forward/", views.round_forward, name="evaluation-round-forward"),
    path("evaluation/<id:pk>/towns/<str:code>/evaluate/", views.round_evaluate_town, name="evaluation-round-evaluate-town"),
    path("evaluation/<id:pk>/towns/<str:code>/admit-forward/", views.round_admit_forward, name="evaluation-round-admit-forward"),
    path("evaluation/<id:pk>/late/<slug:stage>/", views.round_late, name="evaluation-round-late"),
    path("evaluation/<id:pk>/publish/", views.round_publish, name="evaluation-round-publish"),
    path("evaluation/<id:pk>/summary.xlsx", views.round_xlsx, name="evaluation-round-xlsx"),
    path("evaluation/<id:pk>/report.docx", views.report_docx, name="evaluation-report-docx"),
    path("evaluation/<id:pk>/report.pdf", views.report_pdf, name="evaluation-report-pdf"),
    path("evaluation/<id:pk>/publication.docx", views.publication_docx, name="evaluation-publication-docx"),
    path("evaluation/documents/<uuid:job>/", views.document_page, name="evaluation-document"),
    path("evaluation/documents/<uuid:job>/file", views.document_file, name="evaluation-document-file"),
    path("evaluation/<id:pk>/objections/", views.objection_add, name="evaluation-objection-add"),
    path("evaluation/objections/<id:pk>/<slug:step>/", views.objection_decide, name="evaluation-objection-decide"),
    path("evaluation/entries/<id:pk>/", views.entry_detail, name="evaluation-entry"),
    path("evaluation/entries/<id:pk>/scores.xlsx", views.entry_xlsx, name="evaluation-entry-xlsx"),
    path("evaluation/entries/<id:pk>/lines/<str:code>/", views.entry_line, name="evaluation-entry-line"),
    path("evaluation/entries/<id:pk>/<slug:action>/", views.entry_action, name="evaluation-entry-action"),
]

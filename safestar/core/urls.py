from django.urls import path

from . import job_views
from . import ledger_views as views

urlpatterns = [
    path("ledgers/<slug:ledger>/", views.ledger_list, name="ledger-list"),
    path("ledgers/<slug:ledger>/new/", views.ledger_edit, name="ledger-add"),
    path("ledgers/<slug:ledger>/import/", views.ledger_import, name="ledger-import"),
    path("ledgers/<slug:ledger>/template.xlsx", views.ledger_template, name="ledger-template"),
    path("ledgers/<slug:ledger>/export.xlsx", views.ledger_export, name="ledger-export"),
    path("ledgers/<slug:ledger>/<id:pk>/", views.ledger_detail, name="ledger-detail"),
    path("ledgers/<slug:ledger>/<id:pk>/edit/", views.ledger_edit, name="ledger-edit"),
    path("ledgers/<slug:ledger>/<id:pk>/delete/", views.ledger_delete, name="ledger-delete"),
    path("ledgers/<slug:ledger>/<id:pk>/restore/", views.ledger_restore, name="ledger-restore"),
    path("ledgers/<slug:ledger>/<id:pk>/history/", views.ledger_history, name="ledger-history"),
    path("files/<id:content_type_id>/<id:object_id>/upload/", views.attachment_upload, name="attachment-upload"),
    path("files/<id:pk>/", views.attachment_download, name="attachment-download"),
    path("jobs/<uuid:pk>/", job_views.job_status, name="job-status"),
    path("files/<id:pk>/delete/", views.attachment_delete, name="attachment-delete"),
]

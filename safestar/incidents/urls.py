from django.urls import path

from . import views

urlpatterns = [
    path("ledgers/incidents/<id:pk>/recognise/", views.incident_recognise, name="incident-recognise"),
    path("ledgers/incidents/<id:pk>/withdraw/", views.incident_withdraw, name="incident-withdraw"),
    path("incidents/pending/", views.recognition_queue, name="incident-queue"),
    path("incident-kinds/", views.kind_list, name="incident-kinds"),
    path("incident-kinds/new/", views.kind_edit, name="incident-kind-add"),
    path("incident-kinds/<id:pk>/edit/", views.kind_edit, name="incident-kind-edit"),
]

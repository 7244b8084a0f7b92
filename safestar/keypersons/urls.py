from django.urls import path

from . import views

urlpatterns = [
    path("key-persons/", views.person_list, name="key-persons"),
    path("key-persons/new/", views.person_edit, name="key-person-add"),
    path("key-persons/overdue/", views.overdue_list, name="key-persons-overdue"),
    path("key-persons/export/", views.export, name="key-persons-export"),
    path("key-persons/import/", views.import_persons, name="key-persons-import"),
    path("key-persons/template.xlsx", views.import_template, name="key-persons-template"),
    path("key-persons/visits/import/", views.import_visits, name="key-person-visits-import"),
    path("key-persons/visits/template.xlsx", views.visits_template, name="key-person-visits-template"),
    path("key-person-categories/", views.category_list, name="key-person-categories"),
    path("key-person-categories/new/", views.category_edit, name="key-person-category-add"),
    path("key-person-categories/<id:pk>/edit/", views.category_edit, name="key-person-category-edit"),
    path("key-persons/<id:pk>/", views.person_detail, name="key-person"),
    path("key-persons/<id:pk>/reveal/", views.person_reveal, name="key-person-reveal"),
    path("key-persons/<id:pk>/edit/", views.person_edit, name="key-person-edit"),
    path("key-persons/<id:pk>/delete/", views.person_delete, name="key-person-delete"),
    path("key-persons/<id:pk>/restore/", views.person_restore, name="key-person-restore"),
    path("key-persons/<id:pk>/visits/", views.visit_add, name="key-person-visit-add"),
    path("key-persons/<id:pk>/incidents/", views.incident_link, name="key-person-incident-link"),
]

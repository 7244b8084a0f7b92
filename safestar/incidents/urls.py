from django.urls import path

from . import views

urlpatterns = [
    path("ledgers/incidents/<int:pk>/recognise/", views.incident_recognise, name="incident-recognise"),
    path("ledgers/incidents/<int:pk>/withdraw/", views.incident_withdraw, name="incident-withdraw"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<id:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<id:pk>/export.xlsx", views.scheme_export, name="scheme-export"),
    path("schemes/<id:pk>/results/", views.scheme_results, name="scheme-results"),
    path("schemes/<id:pk>/villages/<str:code>/", views.scorecard, name="scorecard"),
]

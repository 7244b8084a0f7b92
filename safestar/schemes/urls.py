from django.urls import path

from . import views

urlpatterns = [
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/export.xlsx", views.scheme_export, name="scheme-export"),
    path("schemes/<int:pk>/results/", views.scheme_results, name="scheme-results"),
    path("schemes/<int:pk>/villages/<str:code>/", views.scorecard, name="scorecard"),
]

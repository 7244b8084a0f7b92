from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.inbox, name="notices"),
    path("notices/<id:pk>/read/", views.mark_read, name="notice-read"),
    path("notices/bell/", views.bell, name="notices-bell"),
    path("notices/read-all/", views.mark_all_read, name="notices-read-all"),
    path("notices/failures/", views.failures, name="notice-failures"),
]

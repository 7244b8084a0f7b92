from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("safestar.org.urls")),
    path("", include("safestar.incidents.urls")),
    path("", include("safestar.schemes.urls")),
    path("", include("safestar.keypersons.urls")),
    path("", include("safestar.creation.urls")),
    path("", include("safestar.reports.urls")),
    path("", include("safestar.evaluation.urls")),
    path("", include("safestar.dashboards.urls")),
    path("", include("safestar.notices.urls")),
    path("", include("safestar.core.urls")),
]

from django.contrib import admin
from django.urls import include, path

from catalog.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("catalog.api.urls")),
    path("api/v1/", include("usage.api.urls")),
    path("usage/", include("usage.urls")),
    path("", include("catalog.urls")),
]

handler404 = "catalog.views.errors.not_found"
handler500 = "catalog.views.errors.server_error"

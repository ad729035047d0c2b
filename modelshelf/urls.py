from django.contrib import admin
from django.urls import include, path

from catalog.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # Only sign-in (password or SSO) and sign-out: no password-reset or -change flow is
    # designed, and reset would mail anyone who types an address.
    path("accounts/", include("accounts.sso_urls")),
    # The API's includes share a prefix and no path. Usage's few patterns go first: trying the
    # catalog router's many (each with its format-suffix twin) before them cost every usage
    # call about 0.04 ms, a tenth of what the unit month spends on its own work.
    path("api/v1/", include("usage.api.urls")),
    path("api/v1/", include("catalog.api.urls")),
    path("api/v1/", include("evaluations.api.urls")),
    path("api/v1/", include("gateways.api.urls")),
    path("", include("evaluations.urls")),
    path("usage/", include("usage.urls")),
    path("gateways/", include("gateways.urls")),
    path("notices/", include("core.urls")),
    path("", include("catalog.urls")),
]

handler404 = "catalog.views.errors.not_found"
handler500 = "catalog.views.errors.server_error"

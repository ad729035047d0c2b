"""/api/v1/: one router; action URLs answer with or without the trailing slash."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ObtainTokenView
from catalog.api.jobs import JobRunViewSet, VendorJobsViewSet

router = DefaultRouter(trailing_slash="/?")
router.trailing_slash = "/?"  # DRF turns any truthy trailing_slash into "/"; keep the "?"
# Each resource registers its viewset here, e.g. router.register("models", AIModelViewSet).
router.register("vendors", VendorJobsViewSet, basename="vendor-jobs")
router.register("job-runs", JobRunViewSet, basename="job-run")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

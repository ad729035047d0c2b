"""/api/v1/: one router; action URLs answer with or without the trailing slash."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import ObtainTokenView
from catalog.api.approvals import AdoptionViewSet, ApprovalRequestViewSet
from catalog.api.catalog import AIModelViewSet, SpecialtyViewSet, VendorViewSet
from catalog.api.jobs import JobRunViewSet, VendorJobsViewSet
from catalog.api.rightsizing import RecommendationsView
from catalog.api.units import BusinessUnitViewSet

# DRF turns any truthy trailing_slash into "/", so the optional slash is set afterwards.
router = DefaultRouter()
router.trailing_slash = "/?"
# Business units first: gateways poll their allow-lists, the API's most frequent call, and a
# path is matched against the patterns in order.
router.register("business-units", BusinessUnitViewSet, basename="businessunit")
router.register("vendors", VendorViewSet)
router.register("specialties", SpecialtyViewSet)
router.register("models", AIModelViewSet, basename="aimodel")
router.register("approval-requests", ApprovalRequestViewSet, basename="approval-request")
router.register("adoptions", AdoptionViewSet, basename="adoption")
router.register("vendors", VendorJobsViewSet, basename="vendor-jobs")
router.register("job-runs", JobRunViewSet, basename="job-run")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("recommendations/", RecommendationsView.as_view(), name="recommendations"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

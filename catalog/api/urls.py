"""/api/v1/: one router; action URLs answer with or without the trailing slash."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ObtainTokenView
from catalog.api.approvals import AdoptionViewSet, ApprovalRequestViewSet
from catalog.api.catalog import AIModelViewSet, SpecialtyViewSet, VendorViewSet
from catalog.api.rightsizing import BusinessUnitSavingsViewSet, RecommendationsView
from catalog.api.units import BusinessUnitViewSet

# DRF turns any truthy trailing_slash into "/", so the optional slash is set afterwards.
router = DefaultRouter()
router.trailing_slash = "/?"
# Each resource registers its viewset here, e.g. router.register("models", AIModelViewSet).
router.register("approval-requests", ApprovalRequestViewSet, basename="approval-request")
router.register("adoptions", AdoptionViewSet, basename="adoption")
router.register("vendors", VendorViewSet)
router.register("specialties", SpecialtyViewSet)
router.register("models", AIModelViewSet, basename="aimodel")
router.register("business-units", BusinessUnitViewSet, basename="businessunit")
router.register("business-units", BusinessUnitSavingsViewSet, basename="business-unit-savings")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("recommendations/", RecommendationsView.as_view(), name="recommendations"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

"""/api/v1/ routes of the gateways app (mounted beside catalog's router)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from gateways.api.views import GatewayFindingListView, GatewayProbeViewSet, GatewayViewSet

# DRF turns any truthy trailing_slash into "/", so the optional slash is set afterwards.
router = DefaultRouter()
router.trailing_slash = "/?"
router.include_root_view = False
router.register("gateways", GatewayViewSet, basename="gateway")
router.register("gateway-probes", GatewayProbeViewSet, basename="gateway-probe")

urlpatterns = [
    path("gateway-findings/", GatewayFindingListView.as_view(), name="gateway-finding-list"),
    *router.urls,
]

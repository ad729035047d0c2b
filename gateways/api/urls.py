"""/api/v1/ routes of the gateways app (mounted beside catalog's router)."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from gateways.api.views import (
    GatewayFindingAcknowledgeView,
    GatewayFindingListView,
    GatewayFindingResolveView,
    GatewayProbeViewSet,
    GatewayViewSet,
)

# DRF turns any truthy trailing_slash into "/", so the optional slash is set afterwards.
router = DefaultRouter()
router.trailing_slash = "/?"
router.include_root_view = False
router.register("gateways", GatewayViewSet, basename="gateway")
router.register("gateway-probes", GatewayProbeViewSet, basename="gateway-probe")

urlpatterns = [
    path("gateway-findings/", GatewayFindingListView.as_view(), name="gateway-finding-list"),
    re_path(
        r"^gateway-findings/(?P<pk>[0-9]{1,18})/acknowledge/?$",
        GatewayFindingAcknowledgeView.as_view(),
        name="gateway-finding-acknowledge",
    ),
    re_path(
        r"^gateway-findings/(?P<pk>[0-9]{1,18})/resolve/?$",
        GatewayFindingResolveView.as_view(),
        name="gateway-finding-resolve",
    ),
    *router.urls,
]

"""/api/v1/ routes of the usage app (mounted beside catalog's router)."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from usage.api.findings import FindingAcknowledgeView, FindingResolveView
from usage.api.views import (
    ChargebackView,
    UnitUsageView,
    UsageAccountViewSet,
    UsageFindingListView,
    UsageSourceViewSet,
)

# DRF turns any truthy trailing_slash into "/", so the optional slash is set afterwards.
router = DefaultRouter()
router.trailing_slash = "/?"
router.include_root_view = False
router.register("usage-sources", UsageSourceViewSet, basename="usage-source")
router.register("usage-accounts", UsageAccountViewSet, basename="usage-account")

urlpatterns = [
    re_path(
        r"^business-units/(?P<slug>[-\w]+)/usage/?$", UnitUsageView.as_view(), name="unit-usage"
    ),
    path("usage-findings/", UsageFindingListView.as_view(), name="usage-finding-list"),
    re_path(
        r"^usage-findings/(?P<pk>[0-9]+)/acknowledge/?$",
        FindingAcknowledgeView.as_view(),
        name="usage-finding-acknowledge",
    ),
    re_path(
        r"^usage-findings/(?P<pk>[0-9]+)/resolve/?$",
        FindingResolveView.as_view(),
        name="usage-finding-resolve",
    ),
    path("chargeback/", ChargebackView.as_view(), name="chargeback"),
    *router.urls,
]

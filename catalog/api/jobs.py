"""Vendor jobs over the API: catalog admins start a sync or check now (202) and read runs."""

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.signed_in import signed_in_user
from catalog.models import Vendor
from catalog.services.vendor_jobs import vendor_job_enqueue
from core.api.permissions import IsCatalogAdmin
from core.choices import JobKind
from core.models import JobRun

QUEUED = inline_serializer(
    "JobQueued", {"status": serializers.CharField(), "kind": serializers.CharField()}
)


class VendorJobsViewSet(viewsets.GenericViewSet[Vendor]):
    """POST /vendors/{slug}/sync-prices/ and /check-availability/: enqueued once the request's
    transaction commits, so the worker never misses what the request wrote."""

    queryset = Vendor.objects.all()
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    permission_classes = [IsCatalogAdmin]
    serializer_class: type[serializers.BaseSerializer[Any]] = serializers.Serializer

    def _enqueue(self, kind: str) -> Response:
        vendor_job_enqueue(vendor=self.get_object(), kind=kind, user=signed_in_user(self.request))
        return Response({"status": "queued", "kind": kind}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: QUEUED})
    @action(detail=True, methods=["post"], url_path="sync-prices")
    def sync_prices(self, request: Request, slug: str | None = None) -> Response:
        return self._enqueue(JobKind.SYNC_PRICES)

    @extend_schema(request=None, responses={202: QUEUED})
    @action(detail=True, methods=["post"], url_path="check-availability")
    def check_availability(self, request: Request, slug: str | None = None) -> Response:
        return self._enqueue(JobKind.CHECK_AVAILABILITY)


class JobRunSerializer(serializers.ModelSerializer[JobRun]):
    """A run; `vendor` is null for runs over every vendor at once."""

    vendor: serializers.SlugRelatedField[Vendor] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = JobRun
        fields = [
            "id",
            "kind",
            "vendor",
            "started_at",
            "finished_at",
            "checked",
            "changed",
            "flagged",
            "errors",
            "succeeded",
        ]


class JobRunFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    kind = filters.ChoiceFilter(choices=JobKind.choices)
    vendor = filters.ModelChoiceFilter(
        field_name="vendor", to_field_name="slug", queryset=Vendor.objects.all()
    )

    class Meta:
        model = JobRun
        fields = ["kind", "vendor"]


class JobRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[JobRun]
):
    """Recent job runs, newest first: what each checked, changed, flagged, and what failed."""

    queryset = JobRun.objects.select_related("vendor")
    serializer_class = JobRunSerializer
    permission_classes = [IsCatalogAdmin]
    filterset_class = JobRunFilter

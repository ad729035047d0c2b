"""/api/v1/ for usage: configuration for catalog admins, reports for whoever may see the unit.

Reports answer JSON or, with `?format=csv`, CSV. A unit the caller may not see answers 404, as
requests do; approvers and catalog admins see every unit.
"""

import re
from datetime import date
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fastjson import ORJSONRenderer
from core.api.parsers import BoundedJSONParser
from core.api.permissions import IsCatalogAdmin
from usage.api.csv import UsageCSVRenderer
from usage.api.serializers import (
    ChargebackRowSerializer,
    IngestSerializer,
    MonthQuerySerializer,
    UnitUsageRowSerializer,
    UnitUsageSerializer,
    UsageAccountSerializer,
    UsageFindingSerializer,
    UsageSourceSerializer,
)
from usage.filtersets import MONTH_PATTERN, UsageFindingFilter
from usage.models import UsageAccount, UsageFinding, UsageSource
from usage.services.reports import (
    chargeback,
    unit_month_payload,
    units_visible_to,
    visible_unit_month,
)
from usage.tasks import ingest_usage

RENDERERS = [JSONRenderer, BrowsableAPIRenderer, UsageCSVRenderer]
WELL_FORMED_MONTH = re.compile(MONTH_PATTERN)
MONTH = OpenApiParameter(
    "month", OpenApiTypes.STR, description="YYYY-MM (default: this month)", pattern=MONTH_PATTERN
)


def requested_month(request: Request) -> date:
    """`?month=YYYY-MM` as its first day (default: this month's). A well-formed month is read
    directly; anything else goes through the serializer, for its exact 400."""
    raw = request.query_params.get("month")
    if raw is not None and WELL_FORMED_MONTH.fullmatch(raw):
        return date(int(raw[:4]), int(raw[5:]), 1)
    query = MonthQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    if raw := query.validated_data.get("month"):
        return date(int(raw[:4]), int(raw[5:]), 1)
    return timezone.now().date().replace(day=1)


class UsageSourceViewSet(viewsets.ModelViewSet[UsageSource]):
    """Where usage is read from; `ingest/` reads it now (202, after the request commits)."""

    queryset = UsageSource.objects.all()
    serializer_class = UsageSourceSerializer
    parser_classes = [BoundedJSONParser]  # configuration as code: JSON, typed, nothing form-encoded
    permission_classes = [IsCatalogAdmin]
    lookup_value_regex = r"\d{1,18}"

    @extend_schema(
        request=IngestSerializer,
        responses={
            202: inline_serializer("UsageIngestQueued", {"status": serializers.CharField()})
        },
    )
    @action(detail=True, methods=["post"])
    def ingest(self, request: Request, pk: str | None = None) -> Response:
        source = self.get_object()
        body = IngestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        since = body.validated_data.get("since")
        transaction.on_commit(
            lambda: ingest_usage.delay(
                source_ids=[source.pk], since=since.isoformat() if since else None
            )
        )
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)


class UsageAccountViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[UsageAccount],
):
    """Which unit each LiteLLM team, OpenAI project or Anthropic workspace belongs to."""

    queryset = UsageAccount.objects.select_related("unit", "source")
    serializer_class = UsageAccountSerializer
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsCatalogAdmin]
    lookup_value_regex = r"\d{1,18}"


class UnitUsageView(APIView):
    # Its JSON (strings, integers, null: no floats) written by orjson, DRF's bytes.
    renderer_classes = [ORJSONRenderer, BrowsableAPIRenderer, UsageCSVRenderer]
    csv_serializer = UnitUsageRowSerializer

    @extend_schema(parameters=[MONTH], responses=UnitUsageSerializer)
    def get(self, request: Request, slug: str) -> Response:
        """The unit's month per model: tokens, billed, list, forecast and variance."""
        month = requested_month(request)
        rows = visible_unit_month(request.user, slug, month)
        if rows is None:
            raise Http404
        # Written as UnitUsageSerializer documents it (tests hold them equal), without running
        # a serializer per row: two queries in all (the token; the month, the unit and the
        # caller's right to see it), whatever the volume.
        return Response(unit_month_payload(rows, month))


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, description="YYYY-MM", pattern=MONTH_PATTERN
            )
        ]
    )
)
class UsageFindingListView(generics.ListAPIView[UsageFinding]):
    """Findings about the units the caller may see, newest month first."""

    serializer_class = UsageFindingSerializer
    filterset_class = UsageFindingFilter
    renderer_classes = RENDERERS
    csv_serializer = UsageFindingSerializer

    def get_queryset(self) -> Any:
        return UsageFinding.objects.filter(
            unit__in=units_visible_to(self.request.user)
        ).select_related("unit", "model__vendor")

    def paginate_queryset(self, queryset: Any) -> Any:
        """A CSV download is every matching finding, never one page of them."""
        if getattr(self.request.accepted_renderer, "format", None) == "csv":
            return None
        return super().paginate_queryset(queryset)


class ChargebackView(APIView):
    renderer_classes = RENDERERS
    csv_serializer = ChargebackRowSerializer

    @extend_schema(
        parameters=[MONTH],
        responses=inline_serializer(
            "Chargeback",
            {"month": serializers.CharField(), "results": ChargebackRowSerializer(many=True)},
        ),
    )
    def get(self, request: Request) -> Response:
        """The month's spend per cost center, unit and model (the units the caller may see)."""
        month = requested_month(request)
        rows = chargeback(units_visible_to(request.user), month)
        # Tens of thousands of rows: formatted directly (as ChargebackRowSerializer documents
        # them), since a serializer per row would cost more than the query.
        for row in rows:
            for name in ("billed_cost", "list_cost"):
                if row[name] is not None:
                    row[name] = str(row[name])
        return Response({"month": f"{month:%Y-%m}", "results": rows})

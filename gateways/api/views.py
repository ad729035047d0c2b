"""/api/v1/ for gateways: configuration, checks, plan and apply for catalog admins; findings
for whoever may see the unit (its members and managers, approvers and catalog admins)."""

from typing import Any

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import BusinessUnit
from core.api.parsers import BoundedJSONParser
from core.api.permissions import IsCatalogAdmin
from gateways.api.serializers import (
    GatewayFindingSerializer,
    GatewayProbeSerializer,
    GatewaySerializer,
    TeamPlanSerializer,
)
from gateways.choices import FindingKind, FindingStatus
from gateways.models import Gateway, GatewayFinding, GatewayProbe, findings_visible_to
from gateways.services.plans import gateway_plan
from gateways.tasks import apply_gateway_plan, check_gateways
from usage.api.findings import FindingActionView, ResolveAction
from usage.api.serializers import FindingNoteSerializer, FindingResolveSerializer

ID = r"\d{1,18}"
QUEUED = inline_serializer("GatewayJobQueued", {"status": serializers.CharField()})


class GatewayViewSet(viewsets.ModelViewSet[Gateway]):
    """Gateways the company runs; `check/` checks one now, `plan/` says what `apply/` would
    change in its LiteLLM teams, `apply/` changes it (both after the request commits)."""

    queryset = Gateway.objects.all()
    serializer_class = GatewaySerializer
    parser_classes = [BoundedJSONParser]  # configuration as code: JSON, typed
    permission_classes = [IsCatalogAdmin]
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(request=None, responses={202: QUEUED})
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str | None = None) -> Response:
        gateway = self.get_object()
        transaction.on_commit(lambda: check_gateways.delay(gateway_ids=[gateway.pk]))
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=TeamPlanSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        """Per probe with a team: models to add and remove, limits that differ."""
        plans = gateway_plan(gateway=self.get_object())
        return Response(TeamPlanSerializer(plans, many=True).data)

    @extend_schema(request=None, responses={202: QUEUED})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        gateway = self.get_object()
        user_id = request.user.pk
        transaction.on_commit(lambda: apply_gateway_plan.delay(gateway.pk, user_id))
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)


class GatewayProbeViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[GatewayProbe],
):
    """Which key each unit's apps hold at which gateway (the variable's name, never the key)."""

    queryset = GatewayProbe.objects.select_related("unit", "gateway")
    serializer_class = GatewayProbeSerializer
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsCatalogAdmin]
    lookup_value_regex = ID


class GatewayFindingFilter(filters.FilterSet):  # type: ignore[misc]
    gateway = filters.ModelChoiceFilter(queryset=Gateway.objects.all())
    business_unit = filters.ModelChoiceFilter(
        field_name="unit", to_field_name="slug", queryset=BusinessUnit.objects.all()
    )
    kind = filters.ChoiceFilter(choices=FindingKind.choices)
    status = filters.ChoiceFilter(choices=FindingStatus.choices)

    class Meta:
        model = GatewayFinding
        fields = ["gateway", "business_unit", "kind", "status"]


class GatewayFindingListView(generics.ListAPIView[GatewayFinding]):
    """What gateway checks found for the units the caller may see, latest first."""

    serializer_class = GatewayFindingSerializer
    filterset_class = GatewayFindingFilter

    def get_queryset(self) -> Any:
        return findings_visible_to(self.request.user)  # type: ignore[arg-type]


class GatewayFindingAcknowledgeView(FindingActionView):
    """The usage findings' workflow, on gateway findings (one service, one view)."""

    answer_serializer = GatewayFindingSerializer
    findings = staticmethod(findings_visible_to)

    @extend_schema(request=FindingNoteSerializer, responses=GatewayFindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Acknowledge an open gateway finding (the unit's managers, approvers, catalog admins)."""
        return super().post(request, pk)


class GatewayFindingResolveView(ResolveAction):
    answer_serializer = GatewayFindingSerializer
    findings = staticmethod(findings_visible_to)

    @extend_schema(request=FindingResolveSerializer, responses=GatewayFindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Resolve a gateway finding with a reason (`note`, required); 409 if already resolved;
        a later check that sees it again reopens it."""
        return super().post(request, pk)

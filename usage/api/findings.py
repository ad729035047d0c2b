"""`POST /api/v1/usage-findings/{id}/acknowledge/` and `…/resolve/`: the findings workflow, as on
the pages (services.finding_workflow)."""

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.signed_in import signed_in_user
from core.api.parsers import BoundedJSONParser
from usage.api.serializers import (
    FindingNoteSerializer,
    FindingResolveSerializer,
    UsageFindingSerializer,
)
from usage.models import UsageFinding
from usage.services.finding_workflow import finding_acknowledge, finding_resolve
from usage.services.reports import units_visible_to


class _FindingAction(APIView):
    parser_classes = [BoundedJSONParser]

    @staticmethod
    def act(*, finding: UsageFinding, user: User, note: str) -> UsageFinding:
        return finding_acknowledge(finding=finding, user=user, note=note)

    body_serializer: type[serializers.Serializer[Any]] = FindingNoteSerializer

    def _finding(self, request: Request, pk: int) -> UsageFinding:
        """404 for a finding the caller may not see; the service decides who may act (403)."""
        seen = UsageFinding.objects.select_related("unit", "model__vendor")
        user = signed_in_user(request)
        if not (user.is_approver or user.is_catalog_admin):
            seen = seen.filter(Q(unit__in=units_visible_to(user)))
        return get_object_or_404(seen, pk=pk)

    def post(self, request: Request, pk: int) -> Response:
        finding = self._finding(request, pk)
        body = self.body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = self.act(
            finding=finding, user=signed_in_user(request), note=body.validated_data.get("note", "")
        )
        return Response(UsageFindingSerializer(done).data)


class FindingAcknowledgeView(_FindingAction):
    @extend_schema(request=FindingNoteSerializer, responses=UsageFindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Acknowledge an open finding (the unit's managers, approvers, catalog admins)."""
        return super().post(request, pk)


class FindingResolveView(_FindingAction):
    @staticmethod
    def act(*, finding: UsageFinding, user: User, note: str) -> UsageFinding:
        return finding_resolve(finding=finding, user=user, note=note)

    body_serializer = FindingResolveSerializer

    @extend_schema(request=FindingResolveSerializer, responses=UsageFindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Resolve a finding with a reason (`note`, required); 409 if already resolved."""
        return super().post(request, pk)

"""`POST …/{id}/acknowledge/` and `…/resolve/` for every kind of finding: the findings workflow,
as on the pages (services.finding_workflow). Usage findings are served here; gateway findings
by the same views with their own lookup and answer (gateways.api.views)."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.signed_in import signed_in_user
from core.api.parsers import BoundedJSONParser
from core.models import HandledFinding
from usage.api.serializers import (
    FindingNoteSerializer,
    FindingResolveSerializer,
    UsageFindingSerializer,
)
from usage.services.finding_workflow import finding_acknowledge, finding_resolve
from usage.services.reports import findings_visible_to


class FindingActionView(APIView):
    """One action on one finding the caller may see (404 otherwise; the service answers 403
    for those who may see but not act). Subclasses name the findings and the answer."""

    parser_classes = [BoundedJSONParser]
    body_serializer: type[serializers.Serializer[Any]] = FindingNoteSerializer
    answer_serializer: type[serializers.ModelSerializer[Any]] = UsageFindingSerializer

    @staticmethod
    def act(*, finding: HandledFinding, user: User, note: str) -> HandledFinding:
        return finding_acknowledge(finding=finding, user=user, note=note)

    findings: Callable[[User], QuerySet[Any]] = staticmethod(findings_visible_to)

    def post(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        finding = get_object_or_404(self.findings(user), pk=pk)
        body = self.body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = self.act(finding=finding, user=user, note=body.validated_data.get("note", ""))
        return Response(self.answer_serializer(done).data)


class ResolveAction(FindingActionView):
    """The resolve half: a reason is required, and a resolved finding answers 409."""

    body_serializer = FindingResolveSerializer

    @staticmethod
    def act(*, finding: HandledFinding, user: User, note: str) -> HandledFinding:
        return finding_resolve(finding=finding, user=user, note=note)


class FindingAcknowledgeView(FindingActionView):
    @extend_schema(request=FindingNoteSerializer, responses=UsageFindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Acknowledge an open finding (the unit's managers, approvers, catalog admins)."""
        return super().post(request, pk)


class FindingResolveView(ResolveAction):
    @extend_schema(request=FindingResolveSerializer, responses=UsageFindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Resolve a finding with a reason (`note`, required); 409 if already resolved."""
        return super().post(request, pk)

"""/api/v1/approval-requests/ and /api/v1/adoptions/: thin views over catalog.services.approvals.

Lookups go through `visible_to(user)`, so an object the caller may not see is a 404.
"""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import BusinessUnit
from accounts.signed_in import signed_in_user
from catalog.api.approval_serializers import (
    TERMS,
    AdoptionSerializer,
    AdoptionUpdateSerializer,
    ApprovalRequestCreateSerializer,
    ApprovalRequestDetailSerializer,
    ApprovalRequestSerializer,
    DecisionSerializer,
)
from catalog.choices import AdoptionStatus, RequestStatus
from catalog.models import Adoption, AIModel, ApprovalRequest
from catalog.models.adoptions import AdoptionQuerySet
from catalog.services.adoption_terms import adoption_update
from catalog.services.approvals import (
    adoption_renew,
    adoption_revoke,
    approval_request_approve,
    approval_request_create,
    approval_request_reject,
    approval_request_withdraw,
)
from catalog.services.revocations import adoption_revoke_undo
from catalog.terms import Limits

ID_REGEX = r"[0-9]{1,18}"  # anything else (or beyond bigint) is a 404 at the URL


class ApprovalRequestFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    business_unit = django_filters.ModelChoiceFilter(
        field_name="unit", to_field_name="slug", queryset=BusinessUnit.objects.all()
    )
    model = django_filters.ModelChoiceFilter(to_field_name="slug", queryset=AIModel.objects.all())

    class Meta:
        model = ApprovalRequest
        fields = ["status", "business_unit", "model"]


class AdoptionFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped
    status = django_filters.ChoiceFilter(choices=AdoptionStatus.choices, method="filter_status")
    business_unit = django_filters.ModelChoiceFilter(
        field_name="unit", to_field_name="slug", queryset=BusinessUnit.objects.all()
    )
    model = django_filters.ModelChoiceFilter(to_field_name="slug", queryset=AIModel.objects.all())

    class Meta:
        model = Adoption
        fields = ["status", "business_unit", "model"]

    def filter_status(self, queryset: AdoptionQuerySet, name: str, value: str) -> QuerySet[Any]:
        """By status as of now: a lapsed adoption is expired whether or not the job has run."""
        now = timezone.now()
        if value == AdoptionStatus.ACTIVE:
            return queryset.in_force(now)
        if value == AdoptionStatus.EXPIRED:
            lapsed = Q(status=AdoptionStatus.ACTIVE, expires_at__lte=now)
            return queryset.filter(lapsed | Q(status=AdoptionStatus.EXPIRED))
        return queryset.filter(status=value)


class ApprovalRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ApprovalRequest],
):
    """Requests the caller may see (own; a managed unit's; all for approvers and catalog admins),
    filing one, and the one-time decisions on it."""

    filterset_class = ApprovalRequestFilterSet
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[ApprovalRequest]:
        return ApprovalRequest.objects.visible_to(self.request.user).select_related(
            "model__vendor", "unit", "requester", "decided_by", "adoption"
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "list":
            return ApprovalRequestSerializer
        if self.action == "create":
            return ApprovalRequestCreateSerializer
        if self.action in ("approve", "reject"):
            return DecisionSerializer
        return ApprovalRequestDetailSerializer

    @extend_schema(responses={201: ApprovalRequestDetailSerializer})
    def create(self, request: Request) -> Response:
        incoming = ApprovalRequestCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        limits = Limits(**{name: fields.pop(name, None) for name in TERMS})
        created = approval_request_create(
            requester=signed_in_user(request),
            unit=fields.pop("business_unit"),
            limits=limits,
            **fields,
        )
        return self._answer(created.pk, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=ApprovalRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve; limits in the body replace those the request asked for."""
        pending = self.get_object()
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        given = decision.validated_data
        limits = Limits(**{n: given[n] if n in given else getattr(pending, n) for n in TERMS})
        approval_request_approve(
            request=pending,
            approver=signed_in_user(request),
            comment=given["comment"],
            limits=limits,
        )
        return self._answer(pk)

    @extend_schema(request=DecisionSerializer, responses=ApprovalRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        approval_request_reject(
            request=self.get_object(),
            approver=signed_in_user(request),
            comment=self._comment(request),
        )
        return self._answer(pk)

    @extend_schema(request=None, responses=ApprovalRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        approval_request_withdraw(request=self.get_object(), user=signed_in_user(request))
        return self._answer(pk)

    def _comment(self, request: Request) -> str:
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        return decision.validated_data["comment"]  # type: ignore[no-any-return]  # a CharField

    def _answer(self, pk: int | str, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("evidence").get(pk=pk)
        return Response(ApprovalRequestDetailSerializer(fresh).data, status=code)


class AdoptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Adoption]
):
    """Every unit's adoptions (allow-lists are readable by every employee); managers and catalog
    admins revoke, approvers renew; managers name them and approvers or catalog admins set
    their limits (PATCH)."""

    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilterSet
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Adoption]:
        return Adoption.objects.visible_to(self.request.user).select_related(
            "unit", "model__vendor", "approval"
        )

    @extend_schema(request=AdoptionUpdateSerializer, responses=AdoptionSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Set the alias (the unit's managers) or limits (approvers, catalog admins)."""
        adoption = self.get_object()
        incoming = AdoptionUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        given = incoming.validated_data
        adoption_update(
            adoption=adoption,
            user=signed_in_user(request),
            alias=given.get("alias"),
            limits=Limits(**{name: given.get(name) for name in TERMS}),
            changed=frozenset(given) & frozenset(TERMS),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        adoption_revoke(adoption=self.get_object(), user=signed_in_user(request))
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="undo-revoke")
    def undo_revoke(self, request: Request, pk: str) -> Response:
        """Restore an adoption revoked less than 10 minutes ago (those who may revoke it); 409
        once the window has passed, the adoption is not revoked or its unit uses the model
        again."""
        adoption_revoke_undo(adoption=self.get_object(), user=signed_in_user(request))
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str) -> Response:
        adoption_renew(adoption=self.get_object(), approver=signed_in_user(request))
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

"""/api/v1/eval-suites/ and /api/v1/eval-runs/: suites in, runs started (202) and read."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from catalog.models import AIModel
from core.api.permissions import IsCatalogAdminOrReadOnly
from core.errors import InvalidRequest
from evaluations.api.serializers import (
    EvalRunDetailSerializer,
    EvalRunSerializer,
    EvalSuiteSerializer,
    EvalSuiteWriteSerializer,
    RunRequestSerializer,
    RunsStartedSerializer,
)
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from evaluations.services.runs import runs_start
from evaluations.services.suites import SuiteInput, suite_import

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission  # a protocol of the stubs


class EvalSuiteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[EvalSuite],
):
    """Suites the user may see; catalog admins create them, validated like the JSONL import."""

    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    permission_classes = [IsCatalogAdminOrReadOnly]

    def get_permissions(self) -> "Sequence[_SupportsHasPermission]":
        if self.action == "runs":  # checked per suite in the action: unit members may run
            return [IsAuthenticated()]
        return super().get_permissions()

    queryset = EvalSuite.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self) -> QuerySet[EvalSuite]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            EvalSuite.objects.visible_to(self.request.user)
            .select_related("specialty", "unit")
            .annotate(case_count=Count("cases", distinct=True))
            .order_by("name", "id")
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "runs":
            return RunRequestSerializer
        if self.request.method not in SAFE_METHODS:
            return EvalSuiteWriteSerializer
        return EvalSuiteSerializer

    @extend_schema(responses={201: EvalSuiteSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cases = list(enumerate(data.pop("cases"), 1))
        suite = suite_import(data=SuiteInput(**data, cases=cases), what="case")
        suite = self.get_queryset().get(pk=suite.pk)
        return Response(EvalSuiteSerializer(suite).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RunRequestSerializer, responses={202: RunsStartedSerializer})
    @action(detail=True, methods=["post"])
    def runs(self, request: Request, slug: str | None = None) -> Response:
        """Start one run per model: catalog admins, and members of the suite's unit."""
        suite = self.get_object()
        if not suite.may_run(request.user):
            raise PermissionDenied("Only catalog admins and the suite's unit may start runs.")
        serializer = RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slugs = list(dict.fromkeys(serializer.validated_data["models"]))
        models = {m.slug: m for m in AIModel.objects.filter(slug__in=slugs)}
        if missing := [s for s in slugs if s not in models]:
            raise InvalidRequest(f"unknown models: {', '.join(missing)}", field="models")
        runs = runs_start(suite=suite, models=[models[s] for s in slugs], user=request.user)
        return Response({"runs": [r.pk for r in runs]}, status=status.HTTP_202_ACCEPTED)


class EvalRunFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    suite = filters.CharFilter(field_name="suite__slug")
    model = filters.CharFilter(field_name="model__slug")
    status = filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = EvalRun
        fields = ["suite", "model", "status"]


class EvalRunViewSet(viewsets.ReadOnlyModelViewSet[EvalRun]):
    """Runs of the suites the user may see; the detail carries every case's result."""

    filterset_class = EvalRunFilter

    queryset = EvalRun.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self) -> QuerySet[EvalRun]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        runs = EvalRun.objects.visible_to(self.request.user).select_related(
            "suite", "model", "started_by"
        )
        if self.action == "retrieve":
            runs = runs.prefetch_related("results__case")
        return runs.order_by("-created_at", "-id")

    def get_serializer_class(self) -> type[BaseSerializer[EvalRun]]:
        return EvalRunDetailSerializer if self.action == "retrieve" else EvalRunSerializer

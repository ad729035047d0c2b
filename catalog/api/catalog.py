"""The catalog API: vendors, specialties, models with their price ledger and availability."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api import compiled_pages, list_answers
from catalog.api.exports import FORMAT_JSON_OR_CSV, MODEL_CSV_COLUMNS, model_records
from catalog.api.pagination import PAGE_PARAMETERS, CachedCountPagination
from catalog.api.renderers import CSVRenderer, wants_csv
from catalog.api.schema import paginated
from catalog.api.serializers import (
    AIModelSerializer,
    AvailabilityCheckSerializer,
    PriceAtQuerySerializer,
    PriceObservationSerializer,
    SpecialtySerializer,
    UptimeSerializer,
    VendorSerializer,
    model_representation_for,
    model_representations,
    model_rows,
)
from catalog.filtersets import AIModelFilterSet, VendorFilterSet
from catalog.models import AIModel, AvailabilityCheck, PriceObservation, Specialty, Vendor
from catalog.uptime import uptime_percentages
from core.api.fastjson import ORJSONRenderer
from core.api.permissions import IsCatalogAdminOrReadOnly
from core.csv_export import csv_response

SLUG_PATTERN = r"[-\w]+"


class GivenFiltersBackend(DjangoFilterBackend):  # type: ignore[misc]  # django-filter is untyped
    """django-filter for API calls: a call pays only for the parameters it sends (400 naming
    any bad one); the browsable API's filter form still shows them all."""

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        filterset = filterset_class(
            request.query_params, queryset, request=request, given_only=True
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs  # type: ignore[no-any-return]  # as above


class VendorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Vendor],
):
    """Vendors: every employee reads them; catalog admins correct them (PATCH)."""

    queryset = Vendor.objects.all()
    serializer_class = VendorSerializer
    filterset_class = VendorFilterSet
    filter_backends = [GivenFiltersBackend]
    permission_classes = [IsCatalogAdminOrReadOnly]
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    http_method_names = ["get", "patch", "head", "options"]


class SpecialtyViewSet(viewsets.ReadOnlyModelViewSet[Specialty]):
    """The specialty taxonomy (chat, code, embedding…)."""

    queryset = Specialty.objects.all()
    serializer_class = SpecialtySerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN


class AIModelViewSet(viewsets.ModelViewSet[AIModel]):
    """The catalog's models: every employee reads, catalog admins write.

    The list reads `.values()` rows and turns them into dicts directly, so a 500-row page costs
    little more than its query; every read or write of one model renders the same way.
    """

    queryset = AIModel.objects.select_related("vendor", "successor")
    serializer_class = AIModelSerializer
    filterset_class = AIModelFilterSet
    filter_backends = [GivenFiltersBackend]
    permission_classes = [IsCatalogAdminOrReadOnly]
    pagination_class = CachedCountPagination
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Filters narrow the list; one model is found by its slug alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_renderers(self) -> list[BaseRenderer]:
        """CSV for the list; with no action (an unsupported method), so its answer is a 405.
        The list's JSON (strings, integers, booleans: no floats) is written by orjson."""
        renderers = super().get_renderers()
        if self.action == "list":
            fast = [ORJSONRenderer() if type(r) is JSONRenderer else r for r in renderers]
            return [*fast, CSVRenderer()]
        return [*renderers, CSVRenderer()] if self.action is None else renderers

    @extend_schema(parameters=[FORMAT_JSON_OR_CSV])
    def list(self, request: Request, *args: object, **kwargs: object) -> Any:
        assert isinstance(self.paginator, CachedCountPagination)
        # The JSON answer sent before for this URL, while the catalog is as it was then; else
        # the page of parameters seen before runs the statement compiled then.
        key = answer = None
        if request.accepted_renderer.format == ORJSONRenderer.format and not wants_csv(request):
            answer = list_answers.key_for(request)
            if (body := list_answers.find(answer)) is not None:
                return Response(body)
            key = compiled_pages.request_key(request)
            if (rows := self.paginator.reuse(key, request)) is not None:
                return self._answer(rows, answer)
        models = self.filter_queryset(AIModel.objects.all())
        if wants_csv(request):
            ids = list(models.values_list("pk", flat=True))
            return csv_response("models.csv", MODEL_CSV_COLUMNS, model_records(ids, request))
        # One query for the page: each ordering has an index (catalog.models.ordering), so the
        # page is read from its top and the joins run for its rows only.
        page = self.paginator.paginate_rows(model_rows(models), models, request, self, key=key)
        assert page is not None  # the API always paginates
        return self._answer(page, answer)

    def _answer(self, rows: Iterable[dict[str, Any]], key: list_answers.Key | None) -> Response:
        """The page's answer, its bytes kept (`list_answers`) when its statement was."""
        assert isinstance(self.paginator, CachedCountPagination)
        response = self.get_paginated_response(model_representations(rows, self.request))
        generation = self.paginator.kept_generation
        if key is None or generation is None:
            return response
        request = self.request
        body = request.accepted_renderer.render(
            response.data, request.accepted_media_type, self.get_renderer_context()
        )
        assert isinstance(body, bytes)  # JSON
        list_answers.keep(key, body, generation)
        return Response(body)

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        found = model_representation_for(AIModel.objects.filter(slug=kwargs["slug"]), request)
        if found is None:
            raise NotFound()
        return Response(found)

    @extend_schema(
        parameters=[PriceAtQuerySerializer, *PAGE_PARAMETERS],
        responses={
            200: PolymorphicProxySerializer(
                component_name="PriceLedgerOrPriceAt",
                serializers=[
                    paginated(PriceObservationSerializer, "PaginatedPriceObservationList"),
                    PriceObservationSerializer,
                ],
                resource_type_field_name=None,
            ),
            404: OpenApiResponse(description="Unknown model, or no price known on `at`"),
        },
        description="Without `at`: the model's price ledger, newest first, one page of it. "
        "With `at`: the one observation in force at the end of that day (UTC), alone.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def prices(self, request: Request, slug: str) -> Response:
        model = self.get_object()
        query = PriceAtQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ledger = model.price_observations.all()
        if day := query.validated_data.get("at"):
            observation = ledger.filter(observed_at__date__lte=day).first()
            if observation is None:
                raise NotFound(f"No price is known for {model.slug} on {day.isoformat()}.")
            return Response(PriceObservationSerializer(observation).data)
        page: list[PriceObservation] | None = self.paginate_queryset(ledger)  # type: ignore[arg-type]  # pages another model
        return self.get_paginated_response(PriceObservationSerializer(page, many=True).data)

    @extend_schema(
        responses=inline_serializer(
            "AvailabilityHistory",
            {
                "uptime": UptimeSerializer(),
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": AvailabilityCheckSerializer(many=True),
            },
        ),
        description="The model's availability state changes, newest first, with the percent of "
        "the last 24 h / 7 d / 30 d it was up (degraded counts as up).",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def availability(self, request: Request, slug: str) -> Response:
        model = self.get_object()
        page: list[AvailabilityCheck] | None = self.paginate_queryset(
            model.availability_checks.all()  # type: ignore[arg-type]  # as above
        )
        response = self.get_paginated_response(AvailabilityCheckSerializer(page, many=True).data)
        response.data = {
            "uptime": uptime_percentages(model.pk, now=timezone.now()),
            **response.data,
        }
        return response

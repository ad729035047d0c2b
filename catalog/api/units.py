"""Business units and their allow-lists: what gateways poll to learn which models a unit may use."""

import builtins
import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from accounts.models import BusinessUnit
from catalog.api import allow_list
from catalog.api.exports import (
    ALLOW_LIST_CSV_COLUMNS,
    FORMAT_JSON_OR_CSV,
    MONEY_COLUMNS,
    SAVINGS_CSV_COLUMNS,
)
from catalog.api.renderers import CSVRenderer, LiteLLMRenderer, LiteLLMTeamRenderer, wants_csv
from catalog.api.rightsizing import UnitSavingsSerializer, savings_report
from catalog.api.serializers import (
    BusinessUnitSerializer,
    LiteLLMConfigSerializer,
    LiteLLMTeamSerializer,
    UnitAdoptionSerializer,
)
from catalog.litellm_config import model_list, team_body
from catalog.models import Adoption
from catalog.services.budgets import Forecast, unit_forecast
from core.csv_export import csv_response

# The request headers that make a GET of the allow-list conditional (a poll).
CONDITIONAL = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH"})

TEAM_ID = re.compile(r"[-\w.:@]{1,200}", re.ASCII)


def forecasts(units: Sequence[BusinessUnit]) -> dict[int, Forecast]:
    """Unit id → its forecast (as the budget checks compute it), for all units in one query."""
    by_unit: dict[int, list[Adoption]] = defaultdict(list)
    in_use = Adoption.objects.callable_now().filter(unit__in=units)
    for adoption in in_use.select_related("model"):
        by_unit[adoption.unit_id].append(adoption)
    return {unit.pk: unit_forecast(unit, by_unit[unit.pk]) for unit in units}


class BusinessUnitViewSet(viewsets.ReadOnlyModelViewSet[BusinessUnit]):
    """Units with budget and forecast; `models/` is a unit's allow-list (every employee reads)."""

    queryset = BusinessUnit.objects.all()
    serializer_class = BusinessUnitSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # the API always paginates
        return self.get_paginated_response(self._serialize(page, many=True))

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        return Response(self._serialize([self.get_object()], many=False))

    def _serialize(self, units: Sequence[BusinessUnit], *, many: bool) -> Any:
        context = {**self.get_serializer_context(), "forecasts": forecasts(units)}
        return self.get_serializer(units if many else units[0], many=many, context=context).data

    @extend_schema(
        operation_id="business_units_models_list",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "litellm", "litellm-team", "csv"],
                description="`litellm`: the whole allow-list as a LiteLLM proxy config "
                "(`model_list` and `router_settings`, YAML, `application/yaml`); "
                "`litellm-team`: the body of LiteLLM's `POST /team/update` for the unit's team "
                "(`application/vnd.litellm.team+json`); `csv`: the whole allow-list as a CSV "
                "download.",
            ),
            OpenApiParameter(
                "team_id",
                OpenApiTypes.STR,
                pattern=TEAM_ID.pattern,
                description="With `format=litellm-team`: the LiteLLM team (default: the unit's "
                "slug).",
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="The ETag of an earlier answer: 304 while nothing changed.",
            ),
        ],
        responses={
            (200, "application/json"): UnitAdoptionSerializer(many=True),
            (200, LiteLLMRenderer.media_type): LiteLLMConfigSerializer,
            (200, LiteLLMTeamRenderer.media_type): LiteLLMTeamSerializer,
            (200, CSVRenderer.media_type): OpenApiTypes.STR,
            304: OpenApiResponse(description="Not modified since the ETag given"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="models",
        filter_backends=[],
        renderer_classes=[
            JSONRenderer,
            BrowsableAPIRenderer,
            LiteLLMRenderer,
            LiteLLMTeamRenderer,
            CSVRenderer,
        ],
    )
    def models(self, request: Request, slug: str) -> HttpResponseBase:
        """What the unit may call now, with estimated monthly costs; cheaply pollable."""
        now = timezone.now()
        # A poll's ETag comes from one query (the unit and the fingerprint of the columns the
        # body renders, with a token: in the token's query), so a 304 looks up nothing else
        # and renders nothing.
        conditional = CONDITIONAL & request.META.keys()
        browsable = request.accepted_renderer.format == BrowsableAPIRenderer.format
        if conditional and not browsable and not wants_csv(request):
            poll = request.successful_authenticator
            if isinstance(poll, allow_list.PollAuthentication):
                unit_id, digest = poll.fingerprint
            else:
                unit_id, digest = allow_list.fingerprint(slug, now)
            if unit_id is not None:
                etag = allow_list_etag(request, digest)
                not_modified = get_conditional_response(request, etag=etag)
                if not_modified is not None:
                    return allow_list.with_cache_headers(not_modified, etag)
        unit = self.get_object()  # 404 and permissions as for every unit
        if wants_csv(request):
            adoptions = allow_list.adoptions(unit.pk, now)
            rows = (UnitAdoptionSerializer(adoption).data for adoption in adoptions)
            return csv_response(
                f"{unit.slug}-models.csv", ALLOW_LIST_CSV_COLUMNS, rows, numeric=MONEY_COLUMNS
            )
        if browsable:
            return self._allow_list(request, unit, now)  # its ETag: a hash of its bytes
        # A write since the fingerprint must not give this body an older state's ETag: the
        # fingerprint again and the rows, from one snapshot.
        with allow_list.snapshot():
            etag = allow_list_etag(request, allow_list.fingerprint(unit.slug, now)[1])
            response = self._allow_list(request, unit, now)
        return allow_list.with_cache_headers(response, etag)

    def _allow_list(self, request: Request, unit: BusinessUnit, now: datetime) -> Response:
        """The JSON page or a LiteLLM format, its rows fetched (rendering reads no row)."""
        adoptions = allow_list.adoptions(unit.pk, now)
        if request.accepted_renderer.format == LiteLLMRenderer.format:
            return Response(model_list(adoptions, now))
        if request.accepted_renderer.format == LiteLLMTeamRenderer.format:
            team_id = request.query_params.get("team_id", unit.slug)
            if not TEAM_ID.fullmatch(team_id):
                raise ValidationError({"team_id": ["Letters, digits and -_.:@, at most 200."]})
            return Response(team_body(adoptions, team_id=team_id, unit_budget=unit.monthly_budget))
        page: list[Adoption] | None = self.paginate_queryset(adoptions)  # type: ignore[arg-type]  # pages another model
        return self.get_paginated_response(UnitAdoptionSerializer(page, many=True).data)

    @extend_schema(
        responses=UnitSavingsSerializer,
        operation_id="business_units_savings",
        parameters=[FORMAT_JSON_OR_CSV],
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer, CSVRenderer],
    )
    def savings(self, request: Request, slug: str) -> Any:
        """Per adoption: the cheapest eligible alternative and the monthly saving."""
        unit = self.get_object()
        report = UnitSavingsSerializer(savings_report(unit)).data
        if wants_csv(request):
            return csv_response(
                f"{unit.slug}-savings.csv",
                SAVINGS_CSV_COLUMNS,
                report["results"],
                numeric=MONEY_COLUMNS,
            )
        return Response(report)

    def get_authenticators(self) -> builtins.list[BaseAuthentication]:  # `list`: the action
        """For a conditional GET of the allow-list, the token's lookup also reads the
        fingerprint (`allow_list.PollAuthentication`): the poll is one trip to the database."""
        authenticators = super().get_authenticators()
        request = self.request  # None while the schema is generated
        if request is None or self.action_map.get(request.method.lower()) != "models":  # type: ignore[union-attr]  # a request has a method
            return authenticators
        if not CONDITIONAL & request.META.keys():
            return authenticators
        poll = allow_list.poll_authentication(self.kwargs["slug"], timezone.now())
        if poll is None:
            return authenticators
        return [poll if type(a) is TokenAuthentication else a for a in authenticators]

    # DRF takes any HttpResponseBase here (its stubs say Response), and a 304 is a plain one.
    def finalize_response(  # type: ignore[override]  # see above
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        """The browsable API's allow-list page carries an ETag of its bytes (the other formats
        get theirs from `allow_list_etag` before rendering)."""
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]  # as above
        if (
            self.action != "models"
            or response.status_code != 200
            or response.streaming
            or response.has_header("ETag")
        ):
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response = allow_list.with_cache_headers(response, etag)
        return get_conditional_response(request, etag=etag, response=response)  # type: ignore[return-value]  # never None with a response


def allow_list_etag(request: Request, fingerprint: str) -> str:
    """The ETag of the allow-list body this request would get (`allow_list.etag`)."""
    return allow_list.etag(
        fingerprint,
        renderer=request.accepted_renderer.format,
        media_type=request.accepted_media_type,
        uri=request.build_absolute_uri(),
    )

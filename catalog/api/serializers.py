"""Serializers of the catalog API.

Models are read in bulk through `model_representations`, straight from `.values()` rows: DRF's
per-field machinery costs several times the query on a 500-row page. `AIModelSerializer`
validates writes, describes the fields to the schema and renders one model the same way.
"""

import functools
import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import get_urlconf, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from accounts.models import BusinessUnit
from catalog.api.model_fields import (
    AS_TEXT,
    JSON_COLUMNS,
    MODEL_COLUMNS,
    MODEL_FIELDS,
    represent,
)
from catalog.choices import AvailabilityStatus, Modality
from catalog.models import (
    Adoption,
    AIModel,
    AvailabilityCheck,
    PriceObservation,
    Specialty,
    Vendor,
)
from catalog.models.costs import EXTRA_PRICE_FIELDS
from catalog.services.ai_models import ai_model_create, ai_model_update
from catalog.specialties import SPECIALTY_SLUGS, specialty_slugs, with_specialty_slugs
from core.trust_fields import serializer_kwargs

INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
REGION = re.compile(r"[-.\w]+", re.ASCII)
SLUG = re.compile(r"[-\w]+")


def slashed(path: str) -> str:
    """API paths end with a slash; reverse() drops the router's optional one ("/?")."""
    return path if path.endswith("/") else f"{path}/"


@functools.cache
def _model_list_path(urlconf: str | None) -> str:
    return slashed(reverse("aimodel-list", urlconf=urlconf))


def model_url_prefix(request: Request | None) -> str:
    path = _model_list_path(get_urlconf())  # reverse() costs more than the rest of a row
    return request.build_absolute_uri(path) if request else path


class SlashedIdentityField(serializers.HyperlinkedIdentityField):
    """The object's API URL, ending with a slash like every documented path."""

    def get_url(self, obj: Any, view_name: str, request: Any, format: Any) -> str | None:
        url = super().get_url(obj, view_name, request, format)
        return slashed(url) if url else url


def model_rows(queryset: QuerySet[AIModel]) -> QuerySet[Any]:
    """`.values(*MODEL_COLUMNS)` rows; on PostgreSQL each with its sorted specialty slugs as an
    array, so a page is one query (the subquery runs for the page's rows only), and its JSON
    columns as text for orjson (JSONField decodes with the standard library: 3 columns × 100
    rows were 15 % of a page's time)."""
    if connection.vendor != "postgresql":
        return queryset.values(*MODEL_COLUMNS)  # type: ignore[no-any-return]  # a splat: untyped
    texts = {f"{column}{AS_TEXT}": Cast(column, TextField()) for column in JSON_COLUMNS}
    return (  # type: ignore[no-any-return]  # a splat: untyped
        with_specialty_slugs(queryset)
        .annotate(**texts)
        .values(*(c for c in MODEL_COLUMNS if c not in JSON_COLUMNS), SPECIALTY_SLUGS, *texts)
    )


def model_representations(
    rows: Iterable[dict[str, Any]], request: Request | None
) -> list[dict[str, Any]]:
    """API dicts for `model_rows` (or `.values(*MODEL_COLUMNS)`) rows; specialties the rows lack
    are read for them all in one query."""
    rows = list(rows)
    specialties = specialty_slugs(rows)
    return represent(rows, specialties, model_url_prefix(request))


def model_representation_for(
    queryset: QuerySet[Any], request: Request | None
) -> dict[str, Any] | None:
    """The representation of the one model in `queryset` (None when it is empty)."""
    found = model_representations(model_rows(queryset)[:1], request)
    return found[0] if found else None


class SlugRefField(serializers.SlugRelatedField[Any]):
    """A related object by slug; anything that is not a slug (NUL bytes included) is refused
    before the lookup, which PostgreSQL would otherwise answer with an error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return super().to_internal_value(data)


class AvailabilitySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=AvailabilityStatus.choices)
    checked_at = serializers.DateTimeField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)


class AIModelSerializer(serializers.ModelSerializer[AIModel]):
    """One model: validates catalog admins' writes; reads as `model_representations` does."""

    vendor = SlugRefField(queryset=Vendor.objects.all())
    specialties = SlugRefField(queryset=Specialty.objects.all(), many=True, required=False)
    successor = SlugRefField(queryset=AIModel.objects.all(), allow_null=True, required=False)
    input_modalities = serializers.ListField(
        child=serializers.ChoiceField(choices=Modality.choices), required=False, max_length=10
    )
    output_modalities = serializers.ListField(
        child=serializers.ChoiceField(choices=Modality.choices), required=False, max_length=10
    )
    regions = serializers.ListField(
        child=serializers.RegexField(REGION, max_length=60), required=False, max_length=100
    )
    availability = AvailabilitySerializer(read_only=True)
    url = SlashedIdentityField(view_name="aimodel-detail", lookup_field="slug")

    class Meta:
        model = AIModel
        fields = list(MODEL_FIELDS)
        read_only_fields = ["price_checked_at"]
        # PostgreSQL's column ranges, enforced on every backend (SQLite would store anything).
        extra_kwargs = {
            "parameters": {"min_value": 1, "max_value": BIGINT_MAX},
            "context_window": {"min_value": 1, "max_value": INT_MAX},
            "long_context_threshold": {"min_value": 1, "max_value": INT_MAX},
            "max_output_tokens": {"min_value": 1, "max_value": INT_MAX},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        successor = attrs.get("successor")
        if successor is not None and self.instance is not None and successor.pk == self.instance.pk:
            raise serializers.ValidationError({"successor": ["A model cannot succeed itself."]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> AIModel:
        specialties = validated_data.pop("specialties", [])
        return ai_model_create(fields=validated_data, specialties=specialties)

    def update(self, instance: AIModel, validated_data: dict[str, Any]) -> AIModel:
        specialties = validated_data.pop("specialties", None)
        return ai_model_update(model=instance, fields=validated_data, specialties=specialties)

    def to_representation(self, instance: AIModel) -> dict[str, Any]:
        found = model_representation_for(
            AIModel.objects.filter(pk=instance.pk), self.context.get("request")
        )
        assert found is not None  # the instance was just read or saved
        return found


class AIModelRefSerializer(serializers.ModelSerializer[AIModel]):
    """A model named inside another resource: {slug, name, vendor, vendor_model_id}.

    Needs `select_related("vendor")` (or `model__vendor`) on the queryset to stay one query.
    """

    vendor: serializers.SlugRelatedField[Vendor] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = AIModel
        fields = ["slug", "name", "vendor", "vendor_model_id"]
        read_only_fields = fields


class VendorSerializer(serializers.ModelSerializer[Vendor]):
    """A vendor as the domain has it, the key's variable name included (never the key)."""

    url = SlashedIdentityField(view_name="vendor-detail", lookup_field="slug")

    class Meta:
        model = Vendor
        fields = [
            "slug",
            "name",
            "website",
            "api_kind",
            "api_base_url",
            "api_key_env",
            "status_page_url",
            "price_source",
            "price_source_url",
            "is_active",
            "url",
        ]
        read_only_fields = ["slug"]
        extra_kwargs = serializer_kwargs(
            url_fields=["api_base_url", "status_page_url", "price_source_url"],
            key_env_fields=["api_key_env"],
        )


class SpecialtySerializer(serializers.ModelSerializer[Specialty]):
    class Meta:
        model = Specialty
        fields = ["slug", "name", "description"]


class BusinessUnitSerializer(serializers.ModelSerializer[BusinessUnit]):
    """A unit with its budget and what its active adoptions are forecast to cost a month.

    The forecast comes from the view's context (`forecasts`: unit id → Forecast), computed for a
    whole page at once; unpriced adoptions are left out of it and counted apart.
    """

    forecast_monthly_cost = serializers.SerializerMethodField()
    unpriced_adoptions = serializers.SerializerMethodField()
    url = SlashedIdentityField(view_name="businessunit-detail", lookup_field="slug")

    class Meta:
        model = BusinessUnit
        fields = [
            "slug",
            "name",
            "cost_center",
            "monthly_budget",
            "forecast_monthly_cost",
            "unpriced_adoptions",
            "url",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_forecast_monthly_cost(self, unit: BusinessUnit) -> str:
        return f"{self.context['forecasts'][unit.pk].total:f}"

    def get_unpriced_adoptions(self, unit: BusinessUnit) -> int:
        return self.context["forecasts"][unit.pk].unpriced_adoptions  # type: ignore[no-any-return]  # an int


class UnitAdoptionSerializer(serializers.ModelSerializer[Adoption]):
    """An entry of a unit's allow-list: which model, for what, until when, at what cost; a
    deprecated model carries its dates and successor so gateways can plan the move."""

    model = AIModelRefSerializer(read_only=True)
    business_unit: serializers.SlugRelatedField[BusinessUnit] = serializers.SlugRelatedField(
        source="unit", slug_field="slug", read_only=True
    )
    estimated_monthly_cost = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True
    )
    deprecation_date = serializers.DateField(
        source="model.deprecation_date", read_only=True, allow_null=True
    )
    retirement_date = serializers.DateField(
        source="model.retirement_date", read_only=True, allow_null=True
    )
    successor: serializers.SlugRelatedField[AIModel] = serializers.SlugRelatedField(
        source="model.successor", slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Adoption
        fields = [
            "id",
            "model",
            "business_unit",
            "use_case",
            "approved_at",
            "expires_at",
            "expected_monthly_input_tokens",
            "expected_monthly_output_tokens",
            "estimated_monthly_cost",
            "alias",
            "tpm_limit",
            "rpm_limit",
            "monthly_budget",
            "deprecation_date",
            "retirement_date",
            "successor",
        ]
        read_only_fields = fields


class PriceObservationSerializer(serializers.ModelSerializer[PriceObservation]):
    class Meta:
        model = PriceObservation
        fields = [
            "observed_at",
            "input_price_per_mtok",
            "output_price_per_mtok",
            *EXTRA_PRICE_FIELDS,
            "price_unit",
            "source",
        ]


class AvailabilityCheckSerializer(serializers.ModelSerializer[AvailabilityCheck]):
    class Meta:
        model = AvailabilityCheck
        fields = ["checked_at", "status", "latency_ms", "http_status", "detail"]


class PriceAtQuerySerializer(serializers.Serializer[Any]):
    at = serializers.DateField(
        required=False, help_text="YYYY-MM-DD: the price in force at the end of that day (UTC)"
    )


class UptimeSerializer(serializers.Serializer[Any]):
    """Percent of the window the model answered (up or degraded); null when nothing is known."""

    last_24h = serializers.FloatField(allow_null=True)
    last_7d = serializers.FloatField(allow_null=True)
    last_30d = serializers.FloatField(allow_null=True)


class LiteLLMParamsSerializer(serializers.Serializer[Any]):
    """Documents `litellm_params` (catalog.litellm_config writes it)."""

    model = serializers.CharField(help_text="`<provider>/<vendor model id>`")
    api_base = serializers.CharField(required=False)
    api_key = serializers.CharField(required=False, help_text="`os.environ/<variable>`")
    tpm = serializers.IntegerField(required=False, help_text="Present exactly when set.")
    rpm = serializers.IntegerField(required=False, help_text="Present exactly when set.")
    input_cost_per_token = serializers.DecimalField(
        max_digits=30, decimal_places=18, required=False, coerce_to_string=False
    )
    output_cost_per_token = serializers.DecimalField(
        max_digits=30, decimal_places=18, required=False, coerce_to_string=False
    )


class LiteLLMDeploymentSerializer(serializers.Serializer[Any]):
    model_name = serializers.CharField(help_text="The adoption's alias, else the model's slug.")
    litellm_params = LiteLLMParamsSerializer()
    model_info = serializers.DictField(
        help_text="modelshelf_model, business_unit, use_case, expires_at; deprecation_date, "
        "retirement_date, successor when known; replaces: a retired model's alias moved here."
    )


class LiteLLMRouterSettingsSerializer(serializers.Serializer[Any]):
    fallbacks = serializers.ListField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        help_text="[{deprecated model's name: [its adopted successor's name]}]",
    )


class LiteLLMConfigSerializer(serializers.Serializer[Any]):
    """Documents `?format=litellm`: a LiteLLM proxy config (YAML)."""

    model_list = LiteLLMDeploymentSerializer(many=True)
    router_settings = LiteLLMRouterSettingsSerializer(required=False)


class LiteLLMTeamSerializer(serializers.Serializer[Any]):
    """Documents `?format=litellm-team`: the body of LiteLLM's `POST /team/update`."""

    team_id = serializers.CharField()
    models = serializers.ListField(child=serializers.CharField())
    tpm_limit = serializers.IntegerField(allow_null=True)
    rpm_limit = serializers.IntegerField(allow_null=True)
    max_budget = serializers.FloatField(allow_null=True, help_text="USD a budget_duration.")
    budget_duration = serializers.CharField(allow_null=True)
    blocked = serializers.BooleanField(
        required=False, help_text="true when the unit may call no model (LiteLLM reads no models "
        "as every model)."
    )  # fmt: skip

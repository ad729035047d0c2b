"""Right-sizing endpoints: recommendations for a use case and a unit's possible savings."""

from decimal import Decimal, InvalidOperation
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import BusinessUnit
from catalog.api.serializers import AIModelRefSerializer
from catalog.choices import DataClassification
from catalog.models import Specialty
from catalog.services.rightsizing import Need, recommend, unit_savings

MAX_TOKENS = 10**15  # a quadrillion tokens a month is beyond any budget; bigger is a typo


class RecommendationQuery(serializers.Serializer[Any]):
    specialty = serializers.SlugField()
    min_context = serializers.IntegerField(min_value=0, max_value=10**9, default=0)
    data_classification = serializers.ChoiceField(
        DataClassification.choices, default=DataClassification.INTERNAL
    )
    monthly_input_tokens = serializers.IntegerField(min_value=0, max_value=MAX_TOKENS, default=0)
    monthly_output_tokens = serializers.IntegerField(min_value=0, max_value=MAX_TOKENS, default=0)
    cache_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal(0), max_value=Decimal(1),
        default=Decimal(0),
        help_text="Share (0..1) of the input tokens expected to be cache reads.",
    )  # fmt: skip
    business_unit = serializers.SlugField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)
    min_score = serializers.ListField(child=serializers.CharField(max_length=120), default=list)

    def validate_specialty(self, value: str) -> str:
        if not Specialty.objects.filter(slug=value).exists():
            raise serializers.ValidationError(f"unknown specialty {value!r}")
        return value

    def validate_business_unit(self, value: str) -> BusinessUnit:
        unit = BusinessUnit.objects.filter(slug=value).first()
        if unit is None:
            raise serializers.ValidationError(f"unknown business unit {value!r}")
        return unit

    def validate_min_score(self, values: list[str]) -> list[tuple[str, Decimal]]:
        floors = []
        for value in values:
            task, _, score = value.rpartition(":")
            try:
                floor = Decimal(score)
                if not task or not floor.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                raise serializers.ValidationError(
                    f"{value!r} is not task:score (e.g. mmlu:0.8)"
                ) from None
            floors.append((task, floor))
        return floors

    def need(self, *, viewer: Any) -> Need:
        """The validated query as the service's Need (the API and the wizard page share this),
        asked by `viewer` (whose private evaluations may count toward `min_score`)."""
        q = self.validated_data
        return Need(
            specialty=q["specialty"],
            monthly_input_tokens=q["monthly_input_tokens"],
            monthly_output_tokens=q["monthly_output_tokens"],
            cache_share=q["cache_share"],
            min_context=q["min_context"],
            data_classification=q["data_classification"],
            unit=q.get("business_unit"),
            min_scores=tuple(q["min_score"]),
            viewer=viewer,
        )


class RecommendedSerializer(serializers.Serializer[Any]):
    model = AIModelRefSerializer()
    estimated_monthly_cost = serializers.DecimalField(max_digits=20, decimal_places=2)
    reasons = serializers.ListField(child=serializers.CharField())
    deprecated = serializers.BooleanField()


class ExcludedSerializer(serializers.Serializer[Any]):
    model = AIModelRefSerializer()
    reasons = serializers.ListField(child=serializers.CharField(), source="exclusions")


class RecommendationsSerializer(serializers.Serializer[Any]):
    results = RecommendedSerializer(many=True)
    excluded = ExcludedSerializer(many=True)


class RecommendationsView(APIView):
    """The cheapest eligible models for a use case, and what was excluded and why."""

    @extend_schema(
        parameters=[RecommendationQuery],
        responses=RecommendationsSerializer,
        operation_id="recommendations_list",
    )
    def get(self, request: Request) -> Response:
        query_data: dict[str, Any] = request.query_params.dict()
        query_data["min_score"] = request.query_params.getlist("min_score")
        query = RecommendationQuery(data=query_data)
        query.is_valid(raise_exception=True)
        found = recommend(query.need(viewer=request.user), limit=query.validated_data["limit"])
        return Response(RecommendationsSerializer(found).data)


class AlternativeSerializer(serializers.Serializer[Any]):
    model = AIModelRefSerializer()
    estimated_monthly_cost = serializers.DecimalField(max_digits=20, decimal_places=2)


class SavingSerializer(serializers.Serializer[Any]):
    adoption = serializers.IntegerField(source="adoption.pk")
    model = AIModelRefSerializer(source="adoption.model")
    use_case = serializers.CharField(source="adoption.use_case")
    current_monthly_cost = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="current_cost", allow_null=True
    )
    alternative = AlternativeSerializer(allow_null=True)
    monthly_saving = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    successor = AIModelRefSerializer(allow_null=True)


class UnitSavingsSerializer(serializers.Serializer[Any]):
    business_unit = serializers.CharField()
    total_monthly_saving = serializers.DecimalField(max_digits=20, decimal_places=2)
    results = SavingSerializer(many=True)


def savings_report(unit: BusinessUnit) -> dict[str, object]:
    """What `/business-units/{slug}/savings/` answers, ready for UnitSavingsSerializer."""
    savings = unit_savings(unit)
    total = sum((s.monthly_saving for s in savings if s.monthly_saving), Decimal("0.00"))
    return {"business_unit": unit.slug, "total_monthly_saving": total, "results": savings}

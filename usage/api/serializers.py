"""Usage configuration (sources, accounts) and report rows as the API shows them."""

from datetime import date
from typing import Any, TypeVar

from rest_framework import serializers

from accounts.models import BusinessUnit, User
from catalog.api.serializers import AIModelRefSerializer, SlugRefField
from core.models import HandledFinding
from core.trust_fields import serializer_kwargs
from usage.filtersets import MONTH_PATTERN
from usage.models import UsageAccount, UsageFinding, UsageSource
from usage.services.ingest import MAX_BACKFILL_DAYS, since_problem

_Finding = TypeVar("_Finding", bound=HandledFinding)


class JSONBooleanField(serializers.BooleanField):
    """true or false, as the schema says: DRF's field also takes 0, 1, "yes", "on"…"""

    def to_internal_value(self, data: object) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class UsageSourceSerializer(serializers.ModelSerializer[UsageSource]):
    active = JSONBooleanField(required=False, default=True)

    def to_internal_value(self, data: Any) -> Any:
        """Text fields take JSON strings only, as the schema says (DRF would take 0 as "0")."""
        if isinstance(data, dict):
            wrong = {
                name: ["Not a valid string."]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and name in data
                and not isinstance(data[name], str)
            }
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)

    class Meta:
        model = UsageSource
        fields = ["id", "name", "kind", "base_url", "key_env", "active"]
        extra_kwargs = serializer_kwargs(url_fields=["base_url"], key_env_fields=["key_env"])


class UsageAccountSerializer(serializers.ModelSerializer[UsageAccount]):
    business_unit = SlugRefField(source="unit", queryset=BusinessUnit.objects.all())

    class Meta:
        model = UsageAccount
        fields = ["id", "source", "external_id", "business_unit"]


class IngestSerializer(serializers.Serializer[Any]):
    since = serializers.DateField(
        required=False,
        help_text=f"first day to read: at most {MAX_BACKFILL_DAYS} days back, not in the future",
    )

    def validate_since(self, value: date) -> date:
        if problem := since_problem(value):
            raise serializers.ValidationError(problem)
        return value


# YYYY-MM from year 1000 on: a month before that is a typo (and year 0 is no date at all).


class MonthQuerySerializer(serializers.Serializer[Any]):
    month = serializers.RegexField(
        MONTH_PATTERN, required=False, error_messages={"invalid": "Use YYYY-MM."}
    )


class UnitUsageRowSerializer(serializers.Serializer[Any]):
    model = AIModelRefSerializer(allow_null=True)
    vendor_model_id = serializers.CharField()
    input_tokens = serializers.IntegerField(help_text="uncached input")
    output_tokens = serializers.IntegerField()
    cache_read_tokens = serializers.IntegerField()
    cache_write_tokens = serializers.IntegerField()
    requests = serializers.IntegerField(
        allow_null=True, help_text="null when the source does not count requests (Anthropic)"
    )
    billed_cost = serializers.DecimalField(18, 2, allow_null=True)
    list_cost = serializers.DecimalField(18, 2, allow_null=True)
    forecast_cost = serializers.DecimalField(
        18,
        2,
        allow_null=True,
        help_text="the month's forecast as it stood (the adoptions in force on each of its days "
        "at that day's prices), once per adopted model: on the first row of its names",
    )
    variance = serializers.DecimalField(18, 2, allow_null=True)


class TotalsSerializer(serializers.Serializer[Any]):
    billed_cost = serializers.DecimalField(18, 2, allow_null=True)
    list_cost = serializers.DecimalField(18, 2, allow_null=True)
    actual_cost = serializers.DecimalField(
        18,
        2,
        allow_null=True,
        help_text="per row billed, else list, added unrounded and rounded once: the unit's "
        "figure on /usage/; rows whose both costs are unknown are left out",
    )
    forecast_cost = serializers.DecimalField(18, 2, allow_null=True)
    unbilled = serializers.IntegerField(
        help_text="rows whose billed cost is unknown, left out of billed_cost"
    )
    unpriced = serializers.IntegerField(
        help_text="rows whose list cost is unknown, left out of list_cost"
    )


class UnitUsageSerializer(serializers.Serializer[Any]):
    month = serializers.CharField()
    results = UnitUsageRowSerializer(many=True)
    totals = TotalsSerializer()


def resolved_by_field(cleared: str) -> serializers.SlugRelatedField[User]:
    """Who resolved a finding; null when `cleared` (what resolves one without a person)."""
    return serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text=f"who resolved it with a reason; null when {cleared}",
    )


# The fields every finding (core.models.HandledFinding) shows alike: its unit and who
# acknowledged it; subclasses add `resolved_by = resolved_by_field(…)`. A comment, not a
# docstring: drf-spectacular would print a docstring as each subclass's schema description.
class HandledFindingSerializer(serializers.ModelSerializer[_Finding]):
    business_unit: serializers.SlugRelatedField[BusinessUnit] = serializers.SlugRelatedField(
        source="unit", slug_field="slug", read_only=True
    )
    acknowledged_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )


class UsageFindingSerializer(HandledFindingSerializer[UsageFinding]):
    model = AIModelRefSerializer(allow_null=True, read_only=True)
    month = serializers.SerializerMethodField()
    amount = serializers.DecimalField(18, 2, allow_null=True, read_only=True)
    resolved_by = resolved_by_field("later data cleared it")

    class Meta:
        model = UsageFinding
        fields = [
            "id", "kind", "business_unit", "model", "month", "detail", "amount", "created_at",
            "acknowledged_by", "acknowledged_at", "note", "resolved_by", "status", "resolved_at",
            "resolution",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "status": {
                "help_text": "open; acknowledged by a person (with a note); resolved when later "
                "data cleared it or a person gave a reason"
            },
            "resolved_at": {"help_text": "when it was resolved (null until then)"},
            "resolution": {"help_text": "why it no longer holds (empty while unresolved)"},
        }

    def get_month(self, finding: UsageFinding) -> str:
        return f"{finding.month:%Y-%m}"


class FindingNoteSerializer(serializers.Serializer[Any]):
    """The body of acknowledge: an optional note on what happens next."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class FindingResolveSerializer(serializers.Serializer[Any]):
    """The body of resolve: the reason, required."""

    note = serializers.CharField(max_length=500, help_text="Why it is resolved.")


class ChargebackRowSerializer(serializers.Serializer[Any]):
    cost_center = serializers.CharField()
    business_unit = serializers.CharField()
    vendor = serializers.CharField(allow_null=True)
    model = serializers.CharField(allow_null=True)
    vendor_model_id = serializers.CharField()
    input_tokens = serializers.IntegerField(help_text="uncached input")
    output_tokens = serializers.IntegerField()
    cache_read_tokens = serializers.IntegerField()
    cache_write_tokens = serializers.IntegerField()
    billed_cost = serializers.DecimalField(18, 2, allow_null=True)
    list_cost = serializers.DecimalField(18, 2, allow_null=True)

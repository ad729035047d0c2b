"""Usage configuration (sources, accounts) and report rows as the API shows them."""

from rest_framework import serializers

from accounts.models import BusinessUnit
from catalog.api.serializers import ENV_VAR_NAME, AIModelRefSerializer, SlugRefField
from usage.models import UsageAccount, UsageFinding, UsageSource


class UsageSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = UsageSource
        fields = ["id", "name", "kind", "base_url", "key_env", "active"]

    def validate_key_env(self, value: str) -> str:
        if value and not ENV_VAR_NAME.fullmatch(value):
            raise serializers.ValidationError(
                "The NAME of an environment variable (A-Z, 0-9, _), never the key itself."
            )
        return value


class UsageAccountSerializer(serializers.ModelSerializer):
    business_unit = SlugRefField(source="unit", queryset=BusinessUnit.objects.all())

    class Meta:
        model = UsageAccount
        fields = ["id", "source", "external_id", "business_unit"]


class IngestSerializer(serializers.Serializer):
    since = serializers.DateField(required=False)


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", required=False, error_messages={"invalid": "Use YYYY-MM."}
    )


class UnitUsageRowSerializer(serializers.Serializer):
    model = AIModelRefSerializer(allow_null=True)
    vendor_model_id = serializers.CharField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    requests = serializers.IntegerField()
    billed_cost = serializers.DecimalField(18, 2, allow_null=True)
    list_cost = serializers.DecimalField(18, 2, allow_null=True)
    forecast_cost = serializers.DecimalField(18, 2, allow_null=True)
    variance = serializers.DecimalField(18, 2, allow_null=True)


class TotalsSerializer(serializers.Serializer):
    billed_cost = serializers.DecimalField(18, 2, allow_null=True)
    list_cost = serializers.DecimalField(18, 2, allow_null=True)
    forecast_cost = serializers.DecimalField(18, 2, allow_null=True)
    unpriced = serializers.IntegerField(help_text="models whose list cost is unknown")


class UnitUsageSerializer(serializers.Serializer):
    month = serializers.CharField()
    results = UnitUsageRowSerializer(many=True)
    totals = TotalsSerializer()


class UsageFindingSerializer(serializers.ModelSerializer):
    business_unit = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    model = AIModelRefSerializer(allow_null=True, read_only=True)
    month = serializers.SerializerMethodField()
    amount = serializers.DecimalField(18, 2, allow_null=True, read_only=True)

    class Meta:
        model = UsageFinding
        fields = ["id", "kind", "business_unit", "model", "month", "detail", "amount", "created_at"]

    def get_month(self, finding: UsageFinding) -> str:
        return f"{finding.month:%Y-%m}"


class ChargebackRowSerializer(serializers.Serializer):
    cost_center = serializers.CharField()
    business_unit = serializers.CharField()
    vendor = serializers.CharField(allow_null=True)
    model = serializers.CharField(allow_null=True)
    vendor_model_id = serializers.CharField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    billed_cost = serializers.DecimalField(18, 2, allow_null=True)
    list_cost = serializers.DecimalField(18, 2, allow_null=True)

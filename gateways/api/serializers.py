"""Gateway configuration (catalog admins), findings (whoever may see the unit) and plans."""

from typing import Any

from rest_framework import serializers

from accounts.models import BusinessUnit
from catalog.api.serializers import SlugRefField
from core.http import validate_key_env, validate_outbound_url
from gateways.models import Gateway, GatewayFinding, GatewayProbe
from usage.api.serializers import HandledFindingSerializer, JSONBooleanField, resolved_by_field


class StrictText(serializers.ModelSerializer[Any]):
    """Text fields take JSON strings only, as the schema says (DRF would take 0 as "0")."""

    def to_internal_value(self, data: Any) -> Any:
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


class GatewaySerializer(StrictText):
    active = JSONBooleanField(required=False, default=True)

    class Meta:
        model = Gateway
        fields = ["id", "name", "kind", "base_url", "admin_key_env", "active", "checked_at"]
        read_only_fields = ["checked_at"]
        extra_kwargs = {
            "base_url": {"validators": [validate_outbound_url]},
            "admin_key_env": {"validators": [validate_key_env]},
        }


class GatewayProbeSerializer(StrictText):
    gateway = serializers.PrimaryKeyRelatedField(queryset=Gateway.objects.all())
    business_unit = SlugRefField(source="unit", queryset=BusinessUnit.objects.all())
    active = JSONBooleanField(required=False, default=True)

    class Meta:
        model = GatewayProbe
        fields = ["id", "gateway", "business_unit", "key_env", "team_id", "active"]
        extra_kwargs = {
            "key_env": {"validators": [validate_key_env]},
            "team_id": {"max_length": 200},
        }


class GatewayFindingSerializer(HandledFindingSerializer[GatewayFinding]):
    resolved_by = resolved_by_field("a later check no longer saw it")

    class Meta:
        model = GatewayFinding
        fields = [
            "id",
            "kind",
            "gateway",
            "business_unit",
            "model_name",
            "detail",
            "status",
            "first_seen",
            "last_seen",
            "acknowledged_by",
            "acknowledged_at",
            "note",
            "resolved_by",
            "resolved_at",
            "resolution",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {
                "help_text": "open; acknowledged by a person (with a note); resolved when a later "
                "check no longer saw it or a person gave a reason (a check that sees it again "
                "reopens it)"
            },
            "resolution": {"help_text": "why it no longer holds (empty while unresolved)"},
        }


class TeamPlanSerializer(serializers.Serializer[Any]):
    """What apply would send for one unit's team."""

    business_unit = serializers.CharField()
    team_id = serializers.CharField()
    add = serializers.ListField(child=serializers.CharField())
    remove = serializers.ListField(child=serializers.CharField())
    limits = serializers.DictField(
        child=serializers.DictField(), help_text='{field: {"from": gateway\'s, "to": export\'s}}'
    )
    error = serializers.CharField(help_text="Why the team could not be read (not applied).")

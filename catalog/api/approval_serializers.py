"""Serializers for approval requests and adoptions: input checked for shape here, rules in
catalog.services.approvals."""

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import BusinessUnit, User
from catalog.api.serializers import AIModelRefSerializer, SlugRefField
from catalog.choices import AdoptionStatus, DataClassification
from catalog.models import Adoption, AIModel, ApprovalRequest, Evaluation
from catalog.models.adoptions import ALIAS_MAX_LENGTH, MAX_LIMIT
from catalog.services.approvals import MAX_TOKENS, USE_CASE_MAX_LENGTH

TEXT_MAX_LENGTH = 5000
TERMS = ["tpm_limit", "rpm_limit", "monthly_budget"]


class LimitsSerializer(serializers.Serializer[Any]):
    """Operating limits in a request body: each optional, null for none."""

    tpm_limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, required=False, allow_null=True,
        help_text="Tokens per minute the gateway allows (null: no limit).",
    )  # fmt: skip
    rpm_limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, required=False, allow_null=True,
        help_text="Requests per minute the gateway allows (null: no limit).",
    )  # fmt: skip
    monthly_budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True,
        help_text="USD a month the gateway lets the adoption spend (null: no budget).",
    )  # fmt: skip


class EvidenceSerializer(serializers.ModelSerializer[Evaluation]):
    class Meta:
        model = Evaluation
        fields = ["id", "task", "metric", "score", "source", "date"]
        read_only_fields = fields


class ApprovalRequestSerializer(serializers.ModelSerializer[ApprovalRequest]):
    model = AIModelRefSerializer(read_only=True)
    business_unit: serializers.SlugRelatedField[BusinessUnit] = serializers.SlugRelatedField(
        source="unit", slug_field="slug", read_only=True
    )
    requester: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    estimated_monthly_cost = serializers.DecimalField(
        max_digits=20, decimal_places=2, read_only=True, allow_null=True
    )
    adoption: serializers.PrimaryKeyRelatedField[Adoption] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "status",
            "model",
            "business_unit",
            "requester",
            "use_case",
            "justification",
            "data_classification",
            "expected_monthly_input_tokens",
            "expected_monthly_output_tokens",
            "expected_cache_share",
            "estimated_monthly_cost",
            *TERMS,
            "created_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "adoption",
        ]
        read_only_fields = fields


class HistoryEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    changes = serializers.DictField(child=serializers.DictField())


class ApprovalRequestDetailSerializer(ApprovalRequestSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()

    class Meta(ApprovalRequestSerializer.Meta):
        fields = [*ApprovalRequestSerializer.Meta.fields, "evidence", "history"]
        read_only_fields = fields

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, obj: ApprovalRequest) -> list[dict[str, Any]]:
        return request_history(obj)


def request_history(request: ApprovalRequest) -> list[dict[str, Any]]:
    """Who did what to the request, oldest first: created, approved/rejected/withdrawn, edits."""
    records = list(
        request.history.select_related("history_user").order_by("history_date", "history_id")
    )
    user_ids = {r.decided_by_id for r in records if r.decided_by_id}
    usernames = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username"))
    entries, previous = [], None
    for record in records:
        changes: dict[str, dict[str, Any]] = {}
        if previous is not None:
            for change in record.diff_against(previous).changes:
                old, new = change.old, change.new
                if change.field == "decided_by":
                    old, new = usernames.get(old), usernames.get(new)
                changes[change.field] = {"from": old, "to": new}
        entries.append(
            {
                "at": record.history_date,
                "by": record.history_user.username if record.history_user else None,
                "action": _action(record.history_type, changes),
                "changes": changes,
            }
        )
        previous = record
    return entries


def _action(history_type: str, changes: dict[str, dict[str, Any]]) -> str:
    if history_type == "+":
        return "created"
    if history_type == "-":
        return "deleted"
    if "status" in changes:
        return str(changes["status"]["to"])
    return "changed"


class ApprovalRequestCreateSerializer(LimitsSerializer):
    model = SlugRefField(queryset=AIModel.objects.select_related("successor"))
    business_unit = SlugRefField(queryset=BusinessUnit.objects.all())
    use_case = serializers.CharField(max_length=USE_CASE_MAX_LENGTH)
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    data_classification = serializers.ChoiceField(choices=DataClassification.choices)
    expected_monthly_input_tokens = serializers.IntegerField(
        min_value=0, max_value=MAX_TOKENS, default=0
    )
    expected_monthly_output_tokens = serializers.IntegerField(
        min_value=0, max_value=MAX_TOKENS, default=0
    )
    expected_cache_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal(0), max_value=Decimal(1),
        default=Decimal(0),
        help_text="Share (0..1) of the expected input tokens that will be cache reads; the "
        "forecast prices it at the model's cache-read rate (at its input rate where that is "
        "unknown).",
    )  # fmt: skip
    evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=50,
        required=False,
        default=list,
        help_text="Ids of evaluations of this model cited as evidence.",
    )

    def validate_evidence(self, ids: list[int]) -> list[Evaluation]:
        """An evaluation the caller may not see is answered as one that does not exist."""
        visible = Evaluation.objects.visible_to(self.context["request"].user)
        found = list(visible.filter(pk__in=set(ids)))
        missing = sorted(set(ids) - {e.pk for e in found})
        if missing:
            raise serializers.ValidationError(f"no evaluation with id {missing[0]}")
        return found


class DecisionSerializer(LimitsSerializer):
    """A decision's comment; an approval may also set the limits (those omitted stay as the
    request asked)."""

    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )


class AdoptionUpdateSerializer(LimitsSerializer):
    """PATCH of an adoption: `alias` by the unit's managers, limits by approvers and catalog
    admins; a field left out stays as it is."""

    alias = serializers.CharField(
        max_length=ALIAS_MAX_LENGTH, required=False, allow_blank=True,
        help_text="The name the unit's apps call the model by ([a-z0-9][-a-z0-9.]*; empty: "
        "the catalog slug).",
    )  # fmt: skip


class AdoptionSerializer(serializers.ModelSerializer[Adoption]):
    model = AIModelRefSerializer(read_only=True)
    business_unit: serializers.SlugRelatedField[BusinessUnit] = serializers.SlugRelatedField(
        source="unit", slug_field="slug", read_only=True
    )
    status = serializers.ChoiceField(
        choices=AdoptionStatus.choices, source="effective_status", read_only=True
    )
    estimated_monthly_cost = serializers.DecimalField(
        max_digits=20, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Adoption
        fields = [
            "id",
            "business_unit",
            "model",
            "use_case",
            "status",
            "approved_at",
            "expires_at",
            "expected_monthly_input_tokens",
            "expected_monthly_output_tokens",
            "expected_cache_share",
            "estimated_monthly_cost",
            "alias",
            *TERMS,
            "approval",
        ]
        read_only_fields = fields

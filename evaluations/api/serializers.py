from typing import Any

from rest_framework import serializers

from accounts.models import BusinessUnit, User
from catalog.models import AIModel, Specialty
from evaluations.models import EvalCase, EvalResult, EvalRun, EvalSuite


class EvalCaseSerializer(serializers.ModelSerializer[EvalCase]):
    class Meta:
        model = EvalCase
        fields = ["position", "messages", "expected", "grader", "tolerance", "weight"]


class EvalSuiteSerializer(serializers.ModelSerializer[EvalSuite]):
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    # A company-wide suite has no unit: null, and the schema says so (issue 28, item 9).
    unit: serializers.SlugRelatedField[BusinessUnit] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    cases = serializers.IntegerField(source="case_count", read_only=True)

    class Meta:
        model = EvalSuite
        fields = ["slug", "name", "specialty", "unit", "description", "cases", "created_at"]


class EvalSuiteWriteSerializer(serializers.Serializer[Any]):
    """The shape only; the rules are the JSONL import's (services.suites.suite_import)."""

    slug = serializers.CharField(max_length=80)
    name = serializers.CharField(max_length=200)
    specialty = serializers.CharField(max_length=40, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    cases = serializers.ListField(child=serializers.JSONField(), allow_empty=False)


class RunRequestSerializer(serializers.Serializer[Any]):
    models = serializers.ListField(
        child=serializers.SlugField(max_length=200), allow_empty=False, max_length=50
    )


class RunsStartedSerializer(serializers.Serializer[Any]):
    runs = serializers.ListField(child=serializers.IntegerField())


class EvalResultSerializer(serializers.ModelSerializer[EvalResult]):
    case = serializers.IntegerField(source="case.position")

    class Meta:
        model = EvalResult
        fields = [
            "case",
            "passed",
            "output",
            "latency_ms",
            "input_tokens",
            "output_tokens",
            "attempts",
            "error",
            "http_status",
        ]


class EvalRunSerializer(serializers.ModelSerializer[EvalRun]):
    suite: serializers.SlugRelatedField[EvalSuite] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    model: serializers.SlugRelatedField[AIModel] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    started_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    cost_per_1000_cases = serializers.DecimalField(
        max_digits=24, decimal_places=6, read_only=True, allow_null=True
    )

    class Meta:
        model = EvalRun
        fields = [
            "id",
            "suite",
            "model",
            "started_by",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "cases",
            "done",
            "passed",
            "pass_rate",
            "latency_p50_ms",
            "latency_p95_ms",
            "input_tokens",
            "output_tokens",
            "cost_usd",
            "cost_per_1000_cases",
            "errors",
        ]


class EvalRunDetailSerializer(EvalRunSerializer):
    results = EvalResultSerializer(many=True, read_only=True)

    class Meta(EvalRunSerializer.Meta):
        fields = [*EvalRunSerializer.Meta.fields, "results"]

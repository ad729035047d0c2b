"""Suites, cases and runs in /admin/ (runs read-only: they are records of what was asked)."""

from django.contrib import admin
from django.http import HttpRequest

from evaluations.models import EvalCase, EvalResult, EvalRun, EvalSuite


class EvalCaseInline(admin.TabularInline[EvalCase, EvalSuite]):
    """A suite's cases; read-only once it has runs, so a run's cases never change under it
    (a changed suite is imported as a new one, under another slug)."""

    model = EvalCase
    extra = 0
    fields = ["position", "grader", "expected", "weight", "tolerance"]

    def _has_runs(self, obj: EvalSuite | None) -> bool:
        return obj is not None and obj.runs.exists()

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return not self._has_runs(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return not self._has_runs(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return not self._has_runs(obj) and super().has_delete_permission(request, obj)


@admin.register(EvalSuite)
class EvalSuiteAdmin(admin.ModelAdmin[EvalSuite]):
    list_display = ["name", "slug", "specialty", "unit"]
    list_filter = ["specialty", "unit"]
    search_fields = ["name", "slug"]
    inlines = [EvalCaseInline]


class EvalResultInline(admin.TabularInline[EvalResult, EvalRun]):
    model = EvalResult
    extra = 0
    can_delete = False
    fields = ["case", "passed", "latency_ms", "input_tokens", "output_tokens", "error"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names only, no groups

    def has_add_permission(self, request: HttpRequest, obj: EvalRun | None = None) -> bool:
        return False


@admin.register(EvalRun)
class EvalRunAdmin(admin.ModelAdmin[EvalRun]):
    list_display = ["suite", "model", "status", "pass_rate", "cost_usd", "created_at"]
    list_filter = ["status", "suite"]
    search_fields = ["model__name", "suite__name"]
    list_select_related = ["suite", "model"]
    readonly_fields = [f.name for f in EvalRun._meta.fields]
    inlines = [EvalResultInline]

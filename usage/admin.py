"""Usage sources and which unit each account belongs to are configured here; records and
findings are read-only (they come from the sources)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.trust_fields import TrustBoundaryForm
from usage.models import UsageAccount, UsageFinding, UsageRecord, UsageSource


class UsageSourceForm(TrustBoundaryForm):
    url_fields = ("base_url",)
    key_env_fields = ("key_env",)


class UsageAccountInline(admin.TabularInline[UsageAccount, UsageSource]):
    model = UsageAccount
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(UsageSource)
class UsageSourceAdmin(admin.ModelAdmin[UsageSource]):
    form = UsageSourceForm
    list_display = ["name", "kind", "base_url", "key_env", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    inlines = [UsageAccountInline]


@admin.register(UsageAccount)
class UsageAccountAdmin(admin.ModelAdmin[UsageAccount]):
    list_display = ["external_id", "source", "unit"]
    list_filter = ["source"]
    search_fields = ["external_id", "unit__name"]
    autocomplete_fields = ["unit"]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "unit",
        "vendor_model_id",
        "model",
        "input_tokens",
        "output_tokens",
        "billed_cost",
        "list_cost",
        "source",
    ]
    list_filter = ["source", "unit"]
    search_fields = ["vendor_model_id", "unit__name"]
    date_hierarchy = "day"
    list_select_related = ["unit", "model", "source"]


@admin.register(UsageFinding)
class UsageFindingAdmin(ReadOnlyAdmin):
    list_display = ["month", "kind", "unit", "subject", "amount", "status", "resolved_at"]
    list_filter = ["kind", "status", "unit"]
    search_fields = ["subject", "detail", "unit__name"]
    list_select_related = ["unit"]

"""Curation in /admin/: list filters, search and audit history on every catalog object."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accounts.signed_in import signed_in_user
from catalog.models import (
    Adoption,
    AIModel,
    ApprovalRequest,
    AvailabilityCheck,
    Evaluation,
    LifecycleNotice,
    PriceFlag,
    PriceObservation,
    Specialty,
    Vendor,
)
from catalog.models.costs import EXTRA_PRICE_FIELDS
from core.errors import Conflict
from core.trust_fields import TrustBoundaryForm


class VendorForm(TrustBoundaryForm):
    url_fields = ("api_base_url", "status_page_url", "price_source_url")
    key_env_fields = ("api_key_env",)


@admin.register(Vendor)
class VendorAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history is untyped
    form = VendorForm
    list_display = ["name", "slug", "api_kind", "price_source", "is_active"]
    list_filter = ["api_kind", "price_source", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin[Specialty]):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


class PriceObservationInline(admin.TabularInline[PriceObservation, AIModel]):
    model = PriceObservation
    extra = 0
    can_delete = False
    readonly_fields = [
        "observed_at",
        "input_price_per_mtok",
        "output_price_per_mtok",
        *EXTRA_PRICE_FIELDS,
        "price_unit",
        "source",
    ]
    ordering = ["-observed_at"]
    max_num = 0


@admin.register(AIModel)
class AIModelAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history is untyped
    list_display = [
        "name",
        "vendor",
        "status",
        "size_class",
        "context_window",
        "input_price_per_mtok",
        "output_price_per_mtok",
        "price_unit",
        "availability_status",
    ]
    list_filter = [
        "status",
        "size_class",
        "specialties",
        "deployment",
        "open_weights",
        "price_unit",
        "availability_status",
        "vendor",
    ]
    search_fields = ["name", "slug", "vendor_model_id", "price_source_key"]
    list_select_related = ["vendor"]
    autocomplete_fields = ["vendor", "successor"]
    filter_horizontal = ["specialties", "allowed_units"]
    readonly_fields = [
        "price_checked_at",
        "availability_checked_at",
        "latency_ms",
        "created_at",
        "updated_at",
    ]
    inlines = [PriceObservationInline]

    def save_model(
        self, request: HttpRequest, obj: AIModel, form: forms.ModelForm[AIModel], change: bool
    ) -> None:
        """Through the service, so a price set here is ledgered and announced like a synced one."""
        from catalog.services.ai_models import ai_model_save

        obj._history_user = request.user  # type: ignore[attr-defined]  # read by simple-history
        ai_model_save(model=obj)


@admin.register(PriceObservation)
class PriceObservationAdmin(admin.ModelAdmin[PriceObservation]):
    list_display = [
        "model",
        "observed_at",
        "input_price_per_mtok",
        "output_price_per_mtok",
        *EXTRA_PRICE_FIELDS,
        "price_unit",
        "source",
    ]
    list_filter = ["source", "price_unit"]
    search_fields = ["model__name", "model__slug"]
    list_select_related = ["model"]
    date_hierarchy = "observed_at"


@admin.register(AvailabilityCheck)
class AvailabilityCheckAdmin(admin.ModelAdmin[AvailabilityCheck]):
    list_display = ["model", "checked_at", "status", "latency_ms", "http_status", "detail"]
    list_filter = ["status"]
    search_fields = ["model__name", "model__slug"]
    list_select_related = ["model"]
    date_hierarchy = "checked_at"


@admin.register(Adoption)
class AdoptionAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history is untyped
    list_display = ["unit", "model", "use_case", "status", "approved_at", "expires_at"]
    list_filter = ["status", "unit"]
    search_fields = ["model__name", "unit__name", "use_case"]
    list_select_related = ["unit", "model"]
    autocomplete_fields = ["model"]
    raw_id_fields = ["approval"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history is untyped
    list_display = ["id", "model", "unit", "requester", "status", "created_at", "decided_by"]
    list_filter = ["status", "unit", "data_classification"]
    search_fields = ["model__name", "unit__name", "requester__username", "use_case"]
    list_select_related = ["model", "unit", "requester", "decided_by"]
    autocomplete_fields = ["model"]


@admin.register(LifecycleNotice)
class LifecycleNoticeAdmin(admin.ModelAdmin[LifecycleNotice]):
    """What the daily job told units about deprecations and retirements ahead (read-only)."""

    list_display = ["model", "kind", "date", "days_before", "sent_at"]
    list_filter = ["kind", "days_before"]
    search_fields = ["model__name", "model__slug"]
    list_select_related = ["model"]
    readonly_fields = [f.name for f in LifecycleNotice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin[Evaluation]):
    list_display = ["model", "task", "metric", "score", "source", "date"]
    list_filter = ["task", "source"]
    search_fields = ["model__name", "model__slug", "task"]
    list_select_related = ["model"]
    autocomplete_fields = ["model"]


@admin.register(PriceFlag)
class PriceFlagAdmin(admin.ModelAdmin[PriceFlag]):
    """Prices a sync refused; a catalog admin accepts a plausible one (e.g. a real 10× cut)."""

    list_display = ["model", "reason", "raw_input", "raw_output", "status", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["model__name", "model__slug", "reason"]
    list_select_related = ["model"]
    readonly_fields = [f.name for f in PriceFlag._meta.fields]
    actions = ["accept_prices", "dismiss_prices"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Accept the flagged price (applies it with a ledger entry)")
    def accept_prices(self, request: HttpRequest, queryset: QuerySet[PriceFlag]) -> None:
        from catalog.services.prices import price_flag_accept

        accepted = 0
        for flag in queryset:
            try:
                price_flag_accept(flag=flag, by=signed_in_user(request))
            except Conflict as exc:
                self.message_user(request, f"{flag.model}: {exc}", messages.WARNING)
            else:
                accepted += 1
        if accepted:
            self.message_user(request, f"Applied {accepted} flagged price(s).", messages.SUCCESS)

    @admin.action(description="Dismiss the flagged price (later syncs will not flag it again)")
    def dismiss_prices(self, request: HttpRequest, queryset: QuerySet[PriceFlag]) -> None:
        from catalog.services.prices import price_flags_dismiss

        dismissed = price_flags_dismiss(flags=queryset, by=signed_in_user(request))
        self.message_user(request, f"Dismissed {dismissed} flagged price(s).", messages.SUCCESS)

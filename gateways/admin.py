"""Gateways and their probes are configured here (checked by the trust boundary's validators);
findings and team updates are read-only (the checks and applies write them)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from core.http import validate_key_env, validate_outbound_url
from gateways.models import Gateway, GatewayFinding, GatewayProbe, TeamUpdate


class GatewayForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base_url"].validators.append(validate_outbound_url)
        self.fields["admin_key_env"].validators.append(validate_key_env)


class GatewayProbeForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_env"].validators.append(validate_key_env)


class GatewayProbeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = GatewayProbe
    form = GatewayProbeForm
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(Gateway)
class GatewayAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    form = GatewayForm
    list_display = ["name", "kind", "base_url", "admin_key_env", "active", "checked_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    inlines = [GatewayProbeInline]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(GatewayFinding)
class GatewayFindingAdmin(ReadOnlyAdmin):
    list_display = ["kind", "gateway", "unit", "model_name", "status", "first_seen", "last_seen"]
    list_filter = ["kind", "status", "gateway"]
    search_fields = ["unit__name", "model_name"]


@admin.register(TeamUpdate)
class TeamUpdateAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "gateway", "unit", "team_id", "requested_by", "http_status"]
    list_filter = ["gateway"]

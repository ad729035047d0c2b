from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import BusinessUnit, JoinRequest, Membership, RoleChange, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    # Memberships added here are local: sign-in never takes them away.
    fields = ["user", "role", "source", "idp_group"]
    readonly_fields = ["idp_group"]


class RoleChangeInline(admin.TabularInline):
    model = RoleChange
    extra = 0
    can_delete = False
    fields = ["at", "action", "role", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_filter = [*BaseUserAdmin.list_filter, "memberships__unit"]
    readonly_fields = ["oidc_sub"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Single sign-on", {"fields": ["oidc_sub"]})]
    inlines = [RoleChangeInline]


@admin.register(BusinessUnit)
class BusinessUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "cost_center", "monthly_budget", "idp_member_group"]
    search_fields = ["name", "slug", "cost_center"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "cost_center",
        "monthly_budget",
        "idp_member_group",
        "idp_manager_group",
    ]
    inlines = [MembershipInline]


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """The audit trail of roles: read-only."""

    list_display = ["at", "user", "action", "role", "reason"]
    list_filter = ["action"]
    search_fields = ["user__username", "role", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    """Asks to join a unit, read-only: the unit's managers decide them on the unit page, where
    deciding also makes the membership."""

    list_display = ["created_at", "user", "unit", "status", "decided_by", "decided_at"]
    list_filter = ["status", "unit"]
    search_fields = ["user__username", "unit__name", "message"]
    readonly_fields = ["user", "unit", "message", "status", "decided_by", "decided_at"]

    def has_add_permission(self, request) -> bool:
        return False

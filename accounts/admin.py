from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import BusinessUnit, JoinRequest, Membership, RoleChange, User
from accounts.services import user_deactivate


class MembershipInline(admin.TabularInline[Membership, BusinessUnit]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    # Memberships added here are local: sign-in never takes them away.
    fields = ["user", "role", "source", "idp_group"]
    readonly_fields = ["idp_group"]


class RoleChangeInline(admin.TabularInline[RoleChange, User]):
    model = RoleChange
    extra = 0
    can_delete = False
    fields = ["at", "action", "role", "reason"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names only, no groups

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_filter = [*BaseUserAdmin.list_filter, "memberships__unit"]
    readonly_fields = ["oidc_sub"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]  # set by Django; the stubs allow None
        ("Single sign-on", {"fields": ["oidc_sub"]}),
    ]
    inlines = [RoleChangeInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """Unticking "active" here is a deactivation like `manage.py deactivate_user`: every
        role ends, audited (after the form's own groups are saved, or they would return)."""
        super().save_related(request, form, formsets, change)
        if change and "is_active" in form.changed_data and not form.instance.is_active:
            user_deactivate(
                user=form.instance,
                reason=f"deactivated in the admin by {request.user.get_username()}",
            )


@admin.register(BusinessUnit)
class BusinessUnitAdmin(admin.ModelAdmin[BusinessUnit]):
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
class RoleChangeAdmin(admin.ModelAdmin[RoleChange]):
    """The audit trail of roles: read-only."""

    list_display = ["at", "user", "action", "role", "reason"]
    list_filter = ["action"]
    search_fields = ["user__username", "role", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RoleChange | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RoleChange | None = None) -> bool:
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin[JoinRequest]):
    """Asks to join a unit, read-only: the unit's managers decide them on the unit page, where
    deciding also makes the membership."""

    list_display = ["created_at", "user", "unit", "status", "decided_by", "decided_at"]
    list_filter = ["status", "unit"]
    search_fields = ["user__username", "unit__name", "message"]
    readonly_fields = ["user", "unit", "message", "status", "decided_by", "decided_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

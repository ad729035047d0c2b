from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import BusinessUnit, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_filter = [*BaseUserAdmin.list_filter, "memberships__unit"]


@admin.register(BusinessUnit)
class BusinessUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "cost_center", "monthly_budget"]
    search_fields = ["name", "slug", "cost_center"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

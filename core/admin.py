from django.contrib import admin

from core.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    list_display = ["kind", "vendor", "started_at", "finished_at", "checked", "changed", "flagged"]
    list_filter = ["kind", "vendor"]
    list_select_related = ["vendor"]
    date_hierarchy = "started_at"

"""The one record every background job leaves, whichever domain it serves."""

from django.db import models

from core.choices import JobKind


class JobRun(models.Model):
    """One run of a background job for one vendor (or all): what it checked, changed, flagged.

    `errors` is a list of {"error": text, "permanent": bool, …context} records. The vendor is
    a lazy reference (no import of the catalog): the vendor jobs run per vendor."""

    kind = models.CharField(max_length=30, choices=JobKind.choices)
    vendor = models.ForeignKey(
        "catalog.Vendor", on_delete=models.CASCADE, null=True, blank=True, related_name="job_runs"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "catalog_jobrun"  # born in the catalog; moved here without a table rename
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="jobrun_kind_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def succeeded(self) -> bool:
        return self.finished_at is not None and not self.errors

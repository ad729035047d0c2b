"""The one record every background job leaves, whichever domain it serves, and the people's
side every kind of finding shares."""

from django.conf import settings
from django.db import models

from core.choices import FindingStatus, JobKind


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


class HandledFinding(models.Model):
    """The workflow a finding of any domain goes through (usage, gateways): open; acknowledged
    by a person with a note (seen, being handled); resolved by later data (`resolved_by` null)
    or by a person with a reason. Subclasses carry `unit` (whose managers act on it)."""

    status = models.CharField(
        max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(
        max_length=500, blank=True, help_text="Why the finding no longer holds."
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="The acknowledger's note.")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    unit_id: int

    class Meta:
        abstract = True


class Notice(models.Model):
    """One message as the in-app notice list shows it, beside the e-mail `notify` sends: the
    bell counts a user's unread ones. Written after the change commits, as e-mails are sent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="Where to act on it.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notice_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.subject}"

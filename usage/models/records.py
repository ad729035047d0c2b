"""Daily usage per account and reported model, and what the checks found in it."""

from django.db import models

from catalog.models.ai_models import DecimalDigits
from core.models import HandledFinding
from usage.choices import FindingKind

MONEY: DecimalDigits = {"max_digits": 18, "decimal_places": 6}
COUNT_SUM: DecimalDigits = {"max_digits": 30, "decimal_places": 0}


class UsageRecord(models.Model):
    """One account's use of one model on one day, as the source reported it.

    Unique on (source, account, day, reported model): a re-ingested day replaces the row, so late
    data lands and nothing is counted twice. `list_cost` is tokens × the catalog price in force
    that day (null when unpriced); `billed_cost` is what the source says was charged.
    """

    source = models.ForeignKey(
        "usage.UsageSource", on_delete=models.CASCADE, related_name="records"
    )
    account = models.ForeignKey(
        "usage.UsageAccount", on_delete=models.CASCADE, related_name="records"
    )
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="usage_records"
    )
    day = models.DateField()
    vendor_model_id = models.CharField(max_length=200, blank=True)
    model = models.ForeignKey(
        "catalog.AIModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_records",
    )
    input_tokens = models.PositiveBigIntegerField(
        default=0, help_text="Uncached input: cache reads and writes are counted apart."
    )
    output_tokens = models.PositiveBigIntegerField(default=0)
    cache_read_tokens = models.PositiveBigIntegerField(default=0)
    cache_write_tokens = models.PositiveBigIntegerField(default=0)
    requests = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Null when the source does not count requests."
    )
    billed_cost = models.DecimalField(**MONEY, null=True, blank=True)
    list_cost = models.DecimalField(**MONEY, null=True, blank=True)
    ingested_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "vendor_model_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "account", "day", "vendor_model_id"],
                name="usage_record_one_per_day_model",
            )
        ]
        indexes = [models.Index(fields=["unit", "day"], name="usage_record_unit_day_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.vendor_model_id}"


class UsageMonth(models.Model):
    """A unit's month per reported model: the sums of its UsageRecords, kept by PostgreSQL.

    Triggers on the records' table (migration 0003) add every inserted row and take away every
    deleted one, an update being both, set-wise per statement: an ORM save, a bulk upsert, a
    cascade, a raw `UPDATE`, all alike, in the writer's transaction, so a month read here is
    always its records' sum. A unit's month view reads its ~40 rows instead of summing ~1,000
    records. `records` counts the rows summed (0: none left, not shown); `uncounted`,
    `unbilled` and `unpriced` count those without requests, billed or list cost, so a sum with
    an unknown part reads as unknown. Counts are numeric, not bigint: no sum of rows that each
    fit can overflow and stop the writer's statement. Plain ids, not foreign keys: the triggers
    keep them, and Django's emulated cascades must not act on these rows too. Not kept on
    SQLite (the embedded setup sums the records). Why not django-pgtrigger: migration 0004.
    """

    unit_id = models.BigIntegerField()
    month = models.DateField()
    vendor_model_id = models.CharField(max_length=200, blank=True)
    model_id = models.BigIntegerField(null=True)
    records = models.IntegerField()
    input_tokens = models.DecimalField(**COUNT_SUM)
    output_tokens = models.DecimalField(**COUNT_SUM)
    cache_read_tokens = models.DecimalField(**COUNT_SUM, db_default=0)
    cache_write_tokens = models.DecimalField(**COUNT_SUM, db_default=0)
    requests = models.DecimalField(**COUNT_SUM)  # of the counted rows
    uncounted = models.IntegerField()
    billed_cost = models.DecimalField(max_digits=30, decimal_places=6)  # of the billed rows
    unbilled = models.IntegerField()
    list_cost = models.DecimalField(max_digits=30, decimal_places=6)  # of the priced rows
    unpriced = models.IntegerField()

    class Meta:
        required_db_vendor = "postgresql"  # the triggers that keep it are PL/pgSQL
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "month", "vendor_model_id", "model_id"],
                name="usage_month_one_per_model",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.vendor_model_id}"


class UsageFinding(HandledFinding):
    """Something a unit's usage shows that someone should act on; told once when first found.

    `subject` tells findings of one kind, unit and month apart (the reported model, or the
    source for a bill mismatch); `amount` is the USD figure behind it. When later data clears
    it (a re-ingested day, an adoption that covers the days), it is resolved: `resolved_at` and
    `resolution` say when and why, and it is not told again. Should it hold again, it is reopened
    and told once more.
    """

    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="usage_findings"
    )
    month = models.DateField(help_text="The first day of the month the finding is about.")
    subject = models.CharField(max_length=200, blank=True)
    model = models.ForeignKey(
        "catalog.AIModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_findings",
    )
    source = models.ForeignKey(
        "usage.UsageSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    detail = models.CharField(max_length=500)
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "month", "subject"], name="usage_finding_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit_id} {self.month:%Y-%m} {self.subject}"

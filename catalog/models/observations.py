from datetime import datetime

from django.db import models

from catalog.choices import AvailabilityStatus, PriceSource, PriceUnit
from catalog.models.ai_models import PRICE, AIModel, price_components_not_negative
from catalog.models.costs import PriceComponents


class PriceObservation(models.Model):
    """One entry of the effective-dated price ledger: written when a model's price changes.

    The price in force at time T is the latest observation at or before T.
    """

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="price_observations")
    observed_at = models.DateTimeField(db_index=True)
    input_price_per_mtok = models.DecimalField(**PRICE, null=True, blank=True)
    output_price_per_mtok = models.DecimalField(**PRICE, null=True, blank=True)
    cache_read_price_per_mtok = models.DecimalField(**PRICE, null=True, blank=True)
    cache_write_price_per_mtok = models.DecimalField(**PRICE, null=True, blank=True)
    long_context_threshold = models.PositiveIntegerField(null=True, blank=True)
    long_context_input_price_per_mtok = models.DecimalField(**PRICE, null=True, blank=True)
    long_context_output_price_per_mtok = models.DecimalField(**PRICE, null=True, blank=True)
    price_unit = models.CharField(
        max_length=20, choices=PriceUnit.choices, default=PriceUnit.PER_MTOK
    )
    source = models.CharField(max_length=20, choices=PriceSource.choices)

    class Meta:
        ordering = ["-observed_at", "-id"]
        get_latest_by = "observed_at"
        indexes = [models.Index(fields=["model", "-observed_at"], name="priceobs_model_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(input_price_per_mtok__gte=0)
                | models.Q(input_price_per_mtok__isnull=True),
                name="priceobs_input_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(output_price_per_mtok__gte=0)
                | models.Q(output_price_per_mtok__isnull=True),
                name="priceobs_output_price_not_negative",
            ),
            *price_components_not_negative("priceobs"),
        ]

    def __str__(self) -> str:
        return f"{self.model} @ {self.observed_at:%Y-%m-%d %H:%M}"

    @classmethod
    def entry(
        cls, *, model_id: int, prices: PriceComponents, observed_at: datetime, source: str
    ) -> "PriceObservation":
        """An unsaved ledger entry holding every component of the price."""
        return cls(model_id=model_id, observed_at=observed_at, source=source, **prices.as_fields())

    @property
    def price_components(self) -> PriceComponents:
        return PriceComponents.of(self)


class AvailabilityCheck(models.Model):
    """An availability state change of a model (one row per change, not per probe)."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="availability_checks")
    checked_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=AvailabilityStatus.choices)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["model", "-checked_at"], name="availcheck_model_time_idx")]

    def __str__(self) -> str:
        return f"{self.model} {self.status} @ {self.checked_at:%Y-%m-%d %H:%M}"

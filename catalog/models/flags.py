from django.conf import settings
from django.db import models

from catalog.choices import PriceFlagStatus, PriceSource, PriceUnit
from catalog.models.ai_models import PRICE, AIModel
from catalog.models.costs import PriceComponents
from core.models import JobRun


class PriceFlag(models.Model):
    """A price a sync refused to apply (junk, or a jump over 10× of any component), kept for a
    catalog admin to accept or dismiss. One flag per model and offered value (`value`: every
    component in the model's own unit, per 1M tokens, per query or per image), however many
    syncs see it: once dismissed, the same value is not flagged again."""

    job_run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="price_flags")
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="price_flags")
    reason = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=PriceSource.choices)
    raw_input = models.CharField(max_length=100, blank=True, help_text="As the source said it")
    raw_output = models.CharField(max_length=100, blank=True, help_text="As the source said it")
    # Every component of the offered price, as the ledger holds them: accepting applies them all.
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
    value = models.CharField(
        max_length=250, blank=True, help_text="The offered value in the model's own unit"
    )
    status = models.CharField(
        max_length=10, choices=PriceFlagStatus.choices, default=PriceFlagStatus.OPEN
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "value"],
                condition=models.Q(status__in=[PriceFlagStatus.OPEN, PriceFlagStatus.DISMISSED]),
                name="priceflag_one_per_model_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.reason}"

    @property
    def price_components(self) -> PriceComponents:
        return PriceComponents.of(self)

    @property
    def acceptable(self) -> bool:
        """Only a readable, non-negative price can be accepted (a jump may be real; NaN is not)."""
        return self.status == PriceFlagStatus.OPEN and (
            self.input_price_per_mtok is not None or self.output_price_per_mtok is not None
        )

from decimal import Decimal
from typing import Any, TypedDict

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from catalog.choices import (
    AvailabilityStatus,
    DataClassification,
    Deployment,
    ModelStatus,
    PriceUnit,
    SizeClass,
)
from catalog.models.costs import EXTRA_PRICE_FIELDS, PriceComponents
from catalog.models.history import AuditedRecords
from catalog.models.vendors import Vendor


class DecimalDigits(TypedDict):
    """A DecimalField's precision, typed so that one shared by several columns can be splatted."""

    max_digits: int
    decimal_places: int


PRICE: DecimalDigits = {"max_digits": 18, "decimal_places": 6}


def price_components_not_negative(prefix: str) -> list[models.CheckConstraint]:
    """A check per price component beyond input/output: known and not negative, or unknown."""
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{name}__gte": 0}) | models.Q(**{f"{name}__isnull": True}),
            name=f"{prefix}_{name.removesuffix('_per_mtok')}_not_negative",
        )
        for name in EXTRA_PRICE_FIELDS
        if name != "long_context_threshold"
    ]


class Specialty(models.Model):
    """What a model is for (chat, code, embedding, rerank…): the axis people choose along."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class AIModel(models.Model):
    """A generative-AI model in the catalog, with its size, price, lifecycle and health.

    Prices are in USD per `price_unit` (per million tokens for token-priced models); a null
    price means unknown ("unpriced"), never free.
    """

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="ai_models")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    vendor_model_id = models.CharField(max_length=200)
    price_source_key = models.CharField(max_length=250, blank=True, db_index=True)
    family = models.CharField(max_length=80, blank=True)
    description = models.TextField(blank=True)
    specialties = models.ManyToManyField(Specialty, related_name="ai_models", blank=True)

    parameters = models.BigIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty = undisclosed"
    )
    parameters_estimated = models.BooleanField(default=False)
    size_class = models.CharField(
        max_length=10,
        choices=SizeClass.choices,
        blank=True,
        help_text="Derived from parameters when they are known; set by hand otherwise.",
    )
    context_window = models.PositiveIntegerField(null=True, blank=True)
    max_output_tokens = models.PositiveIntegerField(null=True, blank=True)
    input_modalities = models.JSONField(default=list, blank=True)
    output_modalities = models.JSONField(default=list, blank=True)

    input_price_per_mtok = models.DecimalField(
        **PRICE, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    output_price_per_mtok = models.DecimalField(
        **PRICE, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    # Components beyond the headline price (null = unknown): cache reads and writes, and a
    # long-context tier priced apart above `long_context_threshold` tokens.
    cache_read_price_per_mtok = models.DecimalField(
        **PRICE, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    cache_write_price_per_mtok = models.DecimalField(
        **PRICE, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    long_context_threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tokens above which the long-context prices apply."
    )
    long_context_input_price_per_mtok = models.DecimalField(
        **PRICE, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    long_context_output_price_per_mtok = models.DecimalField(
        **PRICE, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    price_unit = models.CharField(
        max_length=20, choices=PriceUnit.choices, default=PriceUnit.PER_MTOK
    )
    price_checked_at = models.DateTimeField(null=True, blank=True)

    license = models.CharField(max_length=120, blank=True)
    open_weights = models.BooleanField(default=False)
    deployment = models.CharField(
        max_length=20, choices=Deployment.choices, default=Deployment.VENDOR_API
    )
    regions = models.JSONField(default=list, blank=True)

    status = models.CharField(
        max_length=20, choices=ModelStatus.choices, default=ModelStatus.UNDER_REVIEW, db_index=True
    )
    allowed_units = models.ManyToManyField(
        "accounts.BusinessUnit",
        related_name="restricted_models",
        blank=True,
        help_text="For restricted models: the only units that may use it.",
    )
    max_data_classification = models.CharField(
        max_length=20, choices=DataClassification.choices, default=DataClassification.INTERNAL
    )
    release_date = models.DateField(null=True, blank=True)
    deprecation_date = models.DateField(null=True, blank=True)
    retirement_date = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessors"
    )
    model_card_url = models.URLField(max_length=500, blank=True)

    availability_status = models.CharField(
        max_length=16, choices=AvailabilityStatus.choices, default=AvailabilityStatus.UNKNOWN
    )
    availability_checked_at = models.DateTimeField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who may use a model and what it is for are audited like its other fields: each change
    # records the sets as they became.
    history = AuditedRecords(
        excluded_fields=["updated_at"], m2m_fields=["specialties", "allowed_units"]
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "AI model"
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "vendor_model_id"], name="aimodel_unique_vendor_model_id"
            ),
            models.CheckConstraint(
                condition=models.Q(input_price_per_mtok__gte=0)
                | models.Q(input_price_per_mtok__isnull=True),
                name="aimodel_input_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(output_price_per_mtok__gte=0)
                | models.Q(output_price_per_mtok__isnull=True),
                name="aimodel_output_price_not_negative",
            ),
            *price_components_not_negative("aimodel"),
            models.CheckConstraint(
                condition=models.Q(context_window__gt=0) | models.Q(context_window__isnull=True),
                name="aimodel_context_window_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(parameters__gt=0) | models.Q(parameters__isnull=True),
                name="aimodel_parameters_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["input_price_per_mtok"], name="aimodel_input_price_idx"),
            models.Index(fields=["vendor", "status"], name="aimodel_vendor_status_idx"),
        ]
        # On PostgreSQL, migration 0012 adds an index per list ordering (ordering.sort_indexes)
        # and trigram indexes for `search`; SQLite cannot index NULLS LAST, and scans.

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.size_class = self.derived_size_class()
        if not self.price_source_key:
            self.price_source_key = self.vendor_model_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:model_detail", args=[self.slug])

    def derived_size_class(self) -> str:
        """Known parameters decide the class; without them the hand-set class stands."""
        if self.parameters:
            return SizeClass.for_parameters(self.parameters).value
        return self.size_class

    @property
    def is_priced(self) -> bool:
        return self.input_price_per_mtok is not None or self.output_price_per_mtok is not None

    @property
    def price_components(self) -> PriceComponents:
        return PriceComponents.of(self)

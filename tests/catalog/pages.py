"""Shared builders for the page tests: a catalog of any size, written in bulk."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.choices import AvailabilityStatus, ModelStatus, PriceSource, PriceUnit
from catalog.models import AIModel, AvailabilityCheck, PriceObservation, Specialty, Vendor

STATUSES = [ModelStatus.APPROVED, ModelStatus.UNDER_REVIEW, ModelStatus.DEPRECATED]


def bulk_catalog(size: int, *, vendors: int = 5) -> list[AIModel]:
    """`size` models over a few vendors, each with two specialties; every 10th unpriced."""
    vendor_rows = Vendor.objects.bulk_create(
        Vendor(slug=f"bulk-vendor-{v}", name=f"Bulk Vendor {v}") for v in range(vendors)
    )
    models = AIModel.objects.bulk_create(
        AIModel(
            vendor=vendor_rows[i % vendors],
            name=f"Bulk Model {i:05d}",
            slug=f"bulk-model-{i:05d}",
            vendor_model_id=f"bulk-{i:05d}",
            price_source_key=f"bulk-{i:05d}",
            status=STATUSES[i % 3],
            size_class="small",
            parameters=(i % 50 + 1) * 1_000_000_000,
            context_window=8_000 * (i % 16 + 1),
            input_price_per_mtok=None if i % 10 == 9 else Decimal(i % 40) / 4,
            output_price_per_mtok=None if i % 10 == 9 else Decimal(i % 40) / 2,
            price_unit=PriceUnit.PER_QUERY if i % 25 == 3 else PriceUnit.PER_MTOK,
            availability_status=AvailabilityStatus.UP if i % 4 else AvailabilityStatus.DOWN,
        )
        for i in range(size)
    )
    chat, code = Specialty.objects.get(slug="chat"), Specialty.objects.get(slug="code")
    through = AIModel.specialties.through
    through.objects.bulk_create(
        through(aimodel_id=m.pk, specialty_id=s.pk) for m in models for s in (chat, code)
    )
    return models


def add_history(model: AIModel, *, days: int = 30) -> None:
    """A price change a week and an availability change a day for one model."""
    now = timezone.now()
    PriceObservation.objects.bulk_create(
        PriceObservation(
            model=model,
            observed_at=now - timedelta(days=d),
            input_price_per_mtok=Decimal(d),
            output_price_per_mtok=Decimal(2 * d),
            source=PriceSource.LITELLM,
        )
        for d in range(days, 0, -7)
    )
    AvailabilityCheck.objects.bulk_create(
        AvailabilityCheck(
            model=model,
            checked_at=now - timedelta(days=d),
            status=AvailabilityStatus.UP if d % 3 else AvailabilityStatus.DOWN,
            latency_ms=400 + d,
        )
        for d in range(days, 0, -1)
    )

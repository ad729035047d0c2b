"""Catalog admins' edits of models: a hand-set price is a price change like any other."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.choices import PriceSource
from catalog.models import AIModel, PriceObservation, Specialty

PRICE_FIELDS = ("input_price_per_mtok", "output_price_per_mtok", "price_unit")


@transaction.atomic
def ai_model_create(*, fields: dict[str, Any], specialties: list[Specialty]) -> AIModel:
    """Add a model; a known price opens its ledger (source `manual`)."""
    model = AIModel(**fields)
    if model.is_priced:
        model.price_checked_at = timezone.now()
    model.save()
    model.specialties.set(specialties)
    if model.is_priced:
        _observe_price(model)
    return model


@transaction.atomic
def ai_model_update(
    *, model: AIModel, fields: dict[str, Any], specialties: list[Specialty] | None = None
) -> AIModel:
    """Change a model; a changed price writes one ledger entry, so history stays answerable."""
    model = AIModel.objects.select_for_update().get(pk=model.pk)
    before = tuple(getattr(model, name) for name in PRICE_FIELDS)
    for name, value in fields.items():
        setattr(model, name, value)
    price_changed = tuple(getattr(model, name) for name in PRICE_FIELDS) != before
    if price_changed:
        model.price_checked_at = timezone.now()
    model.save()
    if specialties is not None:
        model.specialties.set(specialties)
    if price_changed:
        _observe_price(model)
    return model


def _observe_price(model: AIModel) -> None:
    PriceObservation.objects.create(
        model=model,
        observed_at=model.price_checked_at or timezone.now(),
        input_price_per_mtok=model.input_price_per_mtok,
        output_price_per_mtok=model.output_price_per_mtok,
        price_unit=model.price_unit,
        source=PriceSource.MANUAL,
    )

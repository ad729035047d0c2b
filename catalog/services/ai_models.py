"""Catalog admins' edits of models, from the admin or the API: a hand-set price is a price change
like any other — one ledger entry, and the units using the model hear of it (and of a new
deprecation date) exactly as they would from a sync, budget check included."""

from datetime import date
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from catalog.choices import PriceSource
from catalog.models import AIModel, PriceObservation, Specialty
from catalog.models.costs import PriceComponents
from catalog.services.notices import ModelEvent, model_events_notify
from catalog.services.prices import price_change_text


class Before(NamedTuple):
    """What a model's stored row said before the edit: the fields whose change is news."""

    prices: PriceComponents
    deprecation: date | None

    @classmethod
    def of(cls, model: AIModel) -> "Before":
        return cls(model.price_components, model.deprecation_date)


@transaction.atomic
def ai_model_create(*, fields: dict[str, Any], specialties: list[Specialty]) -> AIModel:
    """Add a model; a known price opens its ledger (source `manual`)."""
    model = ai_model_save(model=AIModel(**fields))
    model.specialties.set(specialties)
    return model


@transaction.atomic
def ai_model_update(
    *, model: AIModel, fields: dict[str, Any], specialties: list[Specialty] | None = None
) -> AIModel:
    """Change some fields of a model (the API's PATCH), read and written under a row lock."""
    model = AIModel.objects.select_for_update().get(pk=model.pk)
    before = Before.of(model)
    for name, value in fields.items():
        setattr(model, name, value)
    _save(model, before)
    if specialties is not None:
        model.specialties.set(specialties)
    return model


@transaction.atomic
def ai_model_save(*, model: AIModel) -> AIModel:
    """Save a model as edited in full (the admin's form): compared with its locked stored row,
    a changed price writes one ledger entry and tells the units using the model."""
    before = None
    if model.pk is not None:
        stored = AIModel.objects.select_for_update().filter(pk=model.pk).first()
        before = Before.of(stored) if stored is not None else None
    _save(model, before)
    return model


def _save(model: AIModel, before: Before | None) -> None:
    after = Before.of(model)
    price_changed = model.is_priced if before is None else after.prices != before.prices
    now = timezone.now()
    if price_changed:
        model.price_checked_at = now
    model.save()
    if price_changed:
        PriceObservation.entry(
            model_id=model.pk, prices=after.prices, observed_at=now, source=PriceSource.MANUAL
        ).save()
    if before is None:
        return  # a new model: no unit uses it yet
    events = []
    if price_changed:
        old = before.prices
        text = price_change_text(old.input, old.output, model)
        events.append(ModelEvent(model, "price", text, old.input, old.output))
    if after.deprecation is not None and after.deprecation != before.deprecation:
        events.append(ModelEvent(model, "deprecation", f"deprecated on {after.deprecation}"))
    model_events_notify(events=events)

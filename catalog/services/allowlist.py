"""Telling a unit's managers, once, when a model leaves the unit's allow-list.

The allow-list is `Adoption.objects.callable_now()`. A model leaves it when its status or
retirement date changes or a unit leaves its `allowed_units`, through the API, the admin, a
service or a plain `save()`; the receivers below check after commit, when the admin has saved
the model and its units alike (so a unit moved in the same form is not told it left). Each
adoption remembers the notice (`delisted_notified_at`, cleared when the model returns), so any
number of checks announce a departure once. The daily job checks every model as well, for
retirement dates that pass with no edit.
"""

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import User, managers_by_unit
from catalog.choices import ModelStatus
from catalog.models import Adoption, AIModel
from catalog.models.adoptions import callable_q
from core.notify import notify

# Saving only these fields cannot move a model off any allow-list.
LISTING_FIELDS = {"status", "retirement_date"}


def allowlist_departures_notify(
    *,
    model_ids: Collection[int] | None = None,
    unit_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> int:
    """Tell the managers of each unit which of its adoptions in force left its allow-list since
    the last check (all units and models when no ids are given); returns how many left."""
    now = now or timezone.now()
    in_force = Adoption.objects.in_force(now)
    if model_ids is not None:
        in_force = in_force.filter(model_id__in=model_ids)
    if unit_ids is not None:
        in_force = in_force.filter(unit_id__in=unit_ids)
    listed = callable_q(now)
    # Back on the list: its next departure deserves a notice of its own.
    in_force.filter(listed, delisted_notified_at__isnull=False).update(delisted_notified_at=None)
    departed = (
        in_force.exclude(listed)
        .filter(delisted_notified_at__isnull=True)
        .select_related("unit", "model__successor")
        .order_by("unit_id", "model__name", "id")
    )
    by_unit: dict[int, list[Adoption]] = defaultdict(list)
    with transaction.atomic():
        for adoption in departed:
            # Claim with a conditional UPDATE: concurrent or repeated checks notify once.
            claimed = Adoption.objects.filter(
                pk=adoption.pk, delisted_notified_at__isnull=True
            ).update(delisted_notified_at=now)
            if claimed == 1:
                by_unit[adoption.unit_id].append(adoption)
        managers = managers_by_unit(by_unit)
        for unit_id, adoptions in by_unit.items():
            if managers.get(unit_id):
                _tell(managers[unit_id], adoptions, now)
    return sum(len(adoptions) for adoptions in by_unit.values())


def _tell(managers: list[User], adoptions: list[Adoption], now: datetime) -> None:
    unit = adoptions[0].unit
    subject = (
        f"{adoptions[0].model.name} left {unit.name}'s allow-list"
        if len(adoptions) == 1
        else f"{len(adoptions)} models left {unit.name}'s allow-list"
    )
    lines = []
    for adoption in adoptions:
        model = adoption.model
        line = (
            f"- {model.name} {_reason(model, now)} (use case: {adoption.use_case}, "
            f"adoption #{adoption.pk})."
        )
        if model.successor is not None:
            line += f" Its successor is {model.successor.name} ({model.successor.slug})."
        lines.append(line)
    notify(
        recipients=managers,
        subject=subject,
        body="Gateways polling the allow-list stop serving these models to "
        f"{unit.name} now:\n" + "\n".join(lines) + "\n\nA member may request a replacement.",
    )


def _reason(model: AIModel, now: datetime) -> str:
    """Why a model is off a list, from its state alone (restricted means: not to this unit)."""
    if model.status == ModelStatus.RETIRED:
        return "is retired"
    if model.retirement_date is not None and model.retirement_date <= timezone.localdate(now):
        return f"reached its retirement date ({model.retirement_date:%Y-%m-%d})"
    if model.status == ModelStatus.RESTRICTED:
        return "is restricted to other units"
    return f"is {model.get_status_display().lower()}"


def _check_after_commit(
    *, model_ids: list[int] | None = None, unit_ids: list[int] | None = None
) -> None:
    # robust: the edit is committed by then; a failed check is logged and the daily job retries.
    transaction.on_commit(
        lambda: allowlist_departures_notify(model_ids=model_ids, unit_ids=unit_ids), robust=True
    )


@receiver(post_save, sender=AIModel, dispatch_uid="allowlist_model_saved")
def _model_saved(
    sender: type[AIModel],
    instance: AIModel,
    created: bool,
    raw: bool,
    update_fields: frozenset[str] | None,
    **kwargs: Any,
) -> None:
    if created or raw or (update_fields is not None and not LISTING_FIELDS & update_fields):
        return
    _check_after_commit(model_ids=[instance.pk])


@receiver(m2m_changed, sender=AIModel.allowed_units.through, dispatch_uid="allowlist_units")
def _allowed_units_changed(
    sender: type, instance: Any, action: str, reverse: bool, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # `instance` is a unit whose restricted models changed
        _check_after_commit(unit_ids=[instance.pk])
    else:
        _check_after_commit(model_ids=[instance.pk])

"""Tell the managers of units using a model that it changed (price, outage, deprecation) or
nears its end of life, with what it means for their monthly bill. One message per unit per
batch of changes."""

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import managers_by_unit
from catalog.choices import LifecycleDate
from catalog.models import Adoption, AIModel, LifecycleNotice
from catalog.models.adoptions import monthly_cost
from catalog.services.budgets import units_check_budget
from core.notify import notify

# Days before a deprecation or retirement date at which the units using the model are told.
LIFECYCLE_THRESHOLDS = (90, 30, 7)
CHANGES_SUBJECT = "{count} change(s) to models {unit} uses"
LIFECYCLE_SUBJECT = "{count} end-of-life date(s) ahead for models {unit} uses"


@dataclass(frozen=True)
class ModelEvent:
    """A state change of one model; `model` carries the new state, `old_*` the previous price."""

    model: AIModel
    kind: str  # price | down | up | deprecation | deprecation_ahead | retirement_ahead
    detail: str
    old_input: Decimal | None = None
    old_output: Decimal | None = None


def _money(amount: Decimal | None) -> str:
    return "unpriced" if amount is None else f"${amount:,.2f}"


def _impact(event: ModelEvent, adoption: Adoption) -> str:
    tokens = (
        adoption.expected_monthly_input_tokens,
        adoption.expected_monthly_output_tokens,
        adoption.expected_cache_share,
    )
    now = monthly_cost(event.model, *tokens)
    if event.kind != "price":
        return f"estimated monthly cost {_money(now)}"
    before_model = copy.copy(event.model)
    before_model.input_price_per_mtok = event.old_input
    before_model.output_price_per_mtok = event.old_output
    before = monthly_cost(before_model, *tokens)
    if now is None or before is None:
        return f"estimated monthly cost {_money(before)} → {_money(now)}"
    return f"estimated monthly cost {_money(before)} → {_money(now)} ({now - before:+,.2f} USD)"


def model_events_notify(*, events: Sequence[ModelEvent], subject: str = CHANGES_SUBJECT) -> None:
    """Queue (after commit) one message to each affected unit's managers. Two queries.

    `subject` is formatted with the unit's `count` of lines and its name (`unit`)."""
    if not events:
        return
    by_model: dict[int, list[ModelEvent]] = defaultdict(list)
    for event in events:
        by_model[event.model.pk].append(event)
    adoptions = list(
        Adoption.objects.in_force().filter(model_id__in=by_model).select_related("unit")
    )
    if not adoptions:
        return
    managers = managers_by_unit({a.unit_id for a in adoptions})
    lines: dict[int, list[str]] = defaultdict(list)
    units = {}
    for adoption in adoptions:
        units[adoption.unit_id] = adoption.unit
        for event in by_model[adoption.model_id]:
            lines[adoption.unit_id].append(
                f"- {event.model.name} ({adoption.use_case}): {event.detail}; "
                f"{_impact(event, adoption)}"
            )
    for unit_id, unit_lines in lines.items():
        if managers[unit_id]:
            notify(
                recipients=managers[unit_id],
                subject=subject.format(count=len(unit_lines), unit=units[unit_id].name),
                body="\n".join(unit_lines),
                url=reverse("catalog:unit_detail", args=[units[unit_id].slug]),
            )
    repriced = {
        a.unit_id for a in adoptions if any(e.kind == "price" for e in by_model[a.model_id])
    }
    if repriced:
        # Prices are already written: the forecast below reads the new ones.
        units_check_budget(unit_ids=repriced, reason="Vendor prices of models you use changed.")


def models_notify_lifecycle(*, today: date | None = None) -> tuple[int, int]:
    """Tell the managers of units using a model its deprecation or retirement is 90, 30 or 7
    days ahead, once per threshold and date: each notice is claimed as a row first, so reruns
    and concurrent runs send nothing twice. A date first seen inside a threshold gets that
    threshold's notice only. Returns (dates looked at, notices sent)."""
    today = today or timezone.localdate()
    window = (today, today + timedelta(days=max(LIFECYCLE_THRESHOLDS)))
    in_use = Adoption.objects.in_force().filter(model=OuterRef("pk"))
    models = AIModel.objects.filter(
        Q(deprecation_date__range=window) | Q(retirement_date__range=window), Exists(in_use)
    ).select_related("successor")
    due: list[tuple[AIModel, str, date, int]] = []
    for model in models:
        for end, day in (
            (LifecycleDate.DEPRECATION, model.deprecation_date),
            (LifecycleDate.RETIREMENT, model.retirement_date),
        ):
            if day is not None and window[0] <= day <= window[1]:
                days_left = (day - today).days
                threshold = min(t for t in LIFECYCLE_THRESHOLDS if days_left <= t)
                due.append((model, end.value, day, threshold))
    events = []
    now = timezone.now()
    # One transaction: the claims and the messages (queued on commit) stand or fall together.
    with transaction.atomic():
        for model, kind, day, threshold in due:
            try:
                with transaction.atomic():
                    LifecycleNotice.objects.create(
                        model=model, kind=kind, date=day, days_before=threshold, sent_at=now
                    )
            except IntegrityError:
                continue  # told already, by an earlier or a concurrent run
            text = _lifecycle_text(model, kind, day, today)
            events.append(ModelEvent(model, f"{kind}_ahead", text))
        model_events_notify(events=events, subject=LIFECYCLE_SUBJECT)
    return len(due), len(events)


def _lifecycle_text(model: AIModel, kind: str, day: date, today: date) -> str:
    days = (day - today).days
    when = f"on {day:%Y-%m-%d} (in {days} day{'s' if days != 1 else ''})"
    if kind == LifecycleDate.RETIREMENT:
        text = f"retires {when}: calls fail after that"
    else:
        text = f"deprecated {when}"
    if model.successor is not None:
        text += f"; successor: {model.successor.name}"
    return text

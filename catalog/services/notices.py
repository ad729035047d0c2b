"""Tell the managers of units using a model that it changed (price, outage, deprecation), with
what it means for their monthly bill. One message per unit per batch of changes."""

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Membership, User
from catalog.choices import AdoptionStatus
from catalog.models import Adoption, AIModel
from catalog.models.adoptions import monthly_cost
from catalog.notifications import notify
from catalog.services.budgets import units_check_budget


@dataclass(frozen=True)
class ModelEvent:
    """A state change of one model; `model` carries the new state, `old_*` the previous price."""

    model: AIModel
    kind: str  # price | down | up | deprecation
    detail: str
    old_input: Decimal | None = None
    old_output: Decimal | None = None


def _money(amount: Decimal | None) -> str:
    return "unpriced" if amount is None else f"${amount:,.2f}"


def _impact(event: ModelEvent, adoption: Adoption) -> str:
    tokens = (adoption.expected_monthly_input_tokens, adoption.expected_monthly_output_tokens)
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


def model_events_notify(*, events: Sequence[ModelEvent]) -> None:
    """Queue (after commit) one message to each affected unit's managers. Two queries."""
    if not events:
        return
    by_model: dict[int, list[ModelEvent]] = defaultdict(list)
    for event in events:
        by_model[event.model.pk].append(event)
    adoptions = list(
        Adoption.objects.filter(model_id__in=by_model, status=AdoptionStatus.ACTIVE).select_related(
            "unit"
        )
    )
    if not adoptions:
        return
    managers: dict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        unit_id__in={a.unit_id for a in adoptions}, role=Membership.Role.MANAGER
    ).select_related("user"):
        managers[membership.unit_id].append(membership.user)
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
                subject=f"{len(unit_lines)} change(s) to models {units[unit_id].name} uses",
                body="\n".join(unit_lines),
            )
    repriced = {
        a.unit_id for a in adoptions if any(e.kind == "price" for e in by_model[a.model_id])
    }
    if repriced:
        # Prices are already written: the forecast below reads the new ones.
        units_check_budget(unit_ids=repriced, reason="Vendor prices of models you use changed.")

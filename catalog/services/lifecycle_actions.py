"""What a unit can do about a model it must leave: request its successor, or, while the
successor is still under review, ask governance to review it (catalog admins told once)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import BusinessUnit, Membership, User
from catalog.choices import ModelStatus
from catalog.lifecycle import Lifecycle, of_model
from catalog.models import Adoption, AIModel, SuccessorReviewAsk
from core.errors import Conflict
from core.notify import notify

REQUESTABLE = {ModelStatus.APPROVED, ModelStatus.RESTRICTED}


@dataclass(frozen=True)
class AdoptionLifecycle:
    """One adoption's way forward: the badge, the successor, and which action is offered."""

    badge: Lifecycle
    successor: AIModel | None
    successor_requestable: bool
    review_ask: SuccessorReviewAsk | None

    @property
    def can_ask_review(self) -> bool:
        return self.successor is not None and self.successor.status == ModelStatus.UNDER_REVIEW


def unit_lifecycles(
    *, unit: BusinessUnit, adoptions: list[Adoption]
) -> dict[int, AdoptionLifecycle]:
    """For each adoption whose model is deprecated, retiring or has a date announced: its
    lifecycle, by adoption id. Two queries at most, however many adoptions."""
    announced = {a.pk: (a, badge) for a in adoptions if (badge := of_model(a.model))}
    successor_ids = {a.model.successor_id for a, _ in announced.values() if a.model.successor_id}
    allowed = set(
        AIModel.allowed_units.through.objects.filter(
            aimodel_id__in=successor_ids, businessunit_id=unit.pk
        ).values_list("aimodel_id", flat=True)
        if successor_ids
        else []
    )
    asks = (
        {
            ask.model_id: ask
            for ask in SuccessorReviewAsk.objects.filter(
                unit=unit, model_id__in=successor_ids
            ).select_related("asked_by")
        }
        if successor_ids
        else {}
    )
    found = {}
    for pk, (adoption, badge) in announced.items():
        successor = adoption.model.successor
        requestable = successor is not None and (
            successor.status == ModelStatus.APPROVED
            or (successor.status == ModelStatus.RESTRICTED and successor.pk in allowed)
        )
        found[pk] = AdoptionLifecycle(
            badge, successor, requestable, asks.get(successor.pk) if successor else None
        )
    return found


def successor_review_ask(*, adoption: Adoption, user: User) -> tuple[SuccessorReviewAsk, bool]:
    """Ask the catalog admins to review the successor of `adoption`'s model; a second ask from
    the same unit is the first one returned (False), so the admins are told once."""
    if not (
        user.is_catalog_admin
        or Membership.objects.filter(user=user, unit_id=adoption.unit_id).exists()
    ):
        raise PermissionDenied("Only the unit's members and managers may ask for a review.")
    successor = adoption.model.successor
    if successor is None or successor.status != ModelStatus.UNDER_REVIEW:
        raise Conflict(f"{adoption.model.name} has no successor waiting for review.")
    try:
        with transaction.atomic():
            ask = SuccessorReviewAsk.objects.create(
                model=successor, unit=adoption.unit, asked_by=user, asked_at=timezone.now()
            )
            who = user.get_full_name() or user.get_username()
            badge = of_model(adoption.model)
            notify(
                recipients=User.objects.catalog_admins(),
                subject=f"{adoption.unit.name} asks for a review of {successor.name}",
                body=f"{who} ({adoption.unit.name}) uses {adoption.model.name} for "
                f"{adoption.use_case}: {badge.text if badge else 'it is being retired'}. "
                f"Its successor, {successor.name}, is still under review, so nobody can "
                "request it. Please review it.",
            )
    except IntegrityError:
        return SuccessorReviewAsk.objects.get(model=successor, unit=adoption.unit), False
    return ask, True

"""Revoking with a way back: the unit page asks before it revokes, and for UNDO_MINUTES after
it the unit's managers (or a catalog admin) may restore the adoption as it was.

The revocation's time is read from the adoption's audit history (the row that set it revoked),
so no second record of it can drift from what the history shows.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import BusinessUnit, User
from catalog.choices import AdoptionStatus, ModelStatus
from catalog.models import Adoption
from catalog.services.approvals import may_revoke
from core.errors import Conflict
from core.notify import notify

UNDO_MINUTES = 10


def recent_revocations(*, unit: BusinessUnit, now: datetime | None = None) -> list[Adoption]:
    """The unit's adoptions revoked within the last UNDO_MINUTES and not restored since, each
    with `revoked_at` and `undo_until`; newest first."""
    window = timedelta(minutes=UNDO_MINUTES)
    revoked = list(
        Adoption.objects.filter(unit=unit, status=AdoptionStatus.REVOKED)
        .with_revoked_at()
        .filter(revoked_at__gte=(now or timezone.now()) - window)  # type: ignore[misc]  # annotated
        .select_related("model")
        .order_by("-revoked_at")
    )
    for adoption in revoked:
        adoption.undo_until = adoption.revoked_at + window  # type: ignore[attr-defined]
    return revoked


def adoption_revoke_undo(
    *, adoption: Adoption, user: User, now: datetime | None = None
) -> Adoption:
    """Restore an adoption revoked less than UNDO_MINUTES ago, with its use case, volumes and
    expiry unchanged; the unit's other managers hear of it. Later, the model is requested again."""
    if not may_revoke(user=user, unit_id=adoption.unit_id):
        raise PermissionDenied("Only the unit's managers or catalog admins may undo a revocation.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Adoption.objects.select_related("model", "unit")
            .select_for_update(of=("self",))
            .with_revoked_at()
            .get(pk=adoption.pk)
        )
        if locked.status != AdoptionStatus.REVOKED:
            raise Conflict(f"This adoption is {locked.status}, not revoked: nothing to undo.")
        if locked.revoked_at is None or now - locked.revoked_at > timedelta(minutes=UNDO_MINUTES):  # type: ignore[attr-defined]
            raise Conflict(
                f"It was revoked more than {UNDO_MINUTES} minutes ago: request the model again."
            )
        if locked.expires_at <= now or locked.model.status == ModelStatus.RETIRED:
            raise Conflict("It has expired or the model has retired since: request a model again.")
        if Adoption.objects.active().filter(unit=locked.unit, model=locked.model).exists():
            raise Conflict(f"{locked.unit.name} already uses {locked.model.name} again.")
        locked.status = AdoptionStatus.ACTIVE
        locked._history_user = user  # type: ignore[attr-defined]
        locked.save(update_fields=["status"])
        notify(
            recipients=User.objects.managers_of([locked.unit_id]).exclude(pk=user.pk),
            subject=f"{locked.model.name} restored for {locked.unit.name}",
            body=f"{user.get_full_name() or user.get_username()} undid the revocation of "
            f"{locked.unit.name}'s use of {locked.model.name} ({locked.use_case}).",
        )
    return locked

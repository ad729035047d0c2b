"""A finding's people side, for usage and gateway findings alike (core.models.HandledFinding):
acknowledge it with a note (seen, being handled) or resolve it with a reason. The unit's
managers, approvers and catalog admins act on it; members read it.

Data still resolves findings on its own (services.findings, gateways.services.checks); a usage
finding a person resolved stays resolved for its month, so the next ingest does not undo their
decision.
"""

from collections.abc import Collection
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.choices import FindingStatus
from core.errors import Conflict, InvalidRequest
from core.models import HandledFinding

NOTE_MAX_LENGTH = 500

Finding = TypeVar("Finding", bound=HandledFinding)


def may_act_on_finding(
    *, user: User, unit_id: int, manager_ids: Collection[int] | None = None
) -> bool:
    """Who may acknowledge or resolve a unit's findings; a page that has read the unit's
    managers already passes their ids (`manager_ids`) and costs no query."""
    if user.is_approver or user.is_catalog_admin:
        return True
    if manager_ids is not None:
        return user.pk in manager_ids
    return bool(User.objects.managers_of([unit_id]).filter(pk=user.pk).exists())


def _checked(finding: HandledFinding, user: User, note: str, *, required: bool) -> str:
    if not may_act_on_finding(user=user, unit_id=finding.unit_id):
        raise PermissionDenied("Only the unit's managers, approvers and catalog admins may.")
    note = note.strip()
    if required and not note:
        raise InvalidRequest("Say why it is resolved.", field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidRequest(f"Keep the note under {NOTE_MAX_LENGTH} characters.", field="note")
    return note


def _locked(finding: Finding) -> Finding:
    locked = type(finding)._default_manager.select_for_update(of=("self",)).get(pk=finding.pk)
    if locked.status == FindingStatus.RESOLVED:
        raise Conflict("This finding is already resolved.")
    return locked


def finding_acknowledge(*, finding: Finding, user: User, note: str = "") -> Finding:
    """Mark an open finding as seen by `user`, with an optional note on what happens next."""
    note = _checked(finding, user, note, required=False)
    with transaction.atomic():
        locked = _locked(finding)
        locked.status = FindingStatus.ACKNOWLEDGED
        locked.acknowledged_by, locked.acknowledged_at, locked.note = user, timezone.now(), note
        locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "note"])
    return locked


def finding_resolve(*, finding: Finding, user: User, note: str) -> Finding:
    """Close an open or acknowledged finding with the reason `user` gives."""
    note = _checked(finding, user, note, required=True)
    with transaction.atomic():
        locked = _locked(finding)
        now = timezone.now()
        who = user.get_full_name() or user.get_username()
        locked.status, locked.resolved_at, locked.resolved_by = FindingStatus.RESOLVED, now, user
        locked.resolution = f"{who}: {note}"[:NOTE_MAX_LENGTH]
        locked.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    return locked

"""Writes to people that carry a rule.

Deactivation ends every role, audited. Joining a unit: someone without one (or wanting another)
asks, the unit's managers decide; before this, the only way in was a manager adding people in
/admin/, which managers cannot reach.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import BusinessUnit, IdpGroupGrant, JoinRequest, Membership, RoleChange, User
from accounts.role_audit import idp_sync
from core.errors import Conflict, InvalidRequest
from core.notify import notify

MESSAGE_MAX_LENGTH = JoinRequest._meta.get_field("message").max_length or 300


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def join_request_create(*, user: User, unit: BusinessUnit, message: str = "") -> JoinRequest:
    """File a pending ask to join `unit`; its managers are told once it commits."""
    message = message.strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvalidRequest(
            f"Keep the note under {MESSAGE_MAX_LENGTH} characters.", field="message"
        )
    if Membership.objects.filter(user=user, unit=unit).exists():
        raise Conflict(f"You are already in {unit.name}.")
    try:
        with transaction.atomic():
            ask = JoinRequest.objects.create(user=user, unit=unit, message=message)
            notify(
                recipients=User.objects.managers_of([unit.pk]),
                subject=f"{_name(user)} asks to join {unit.name}",
                body=f"{_name(user)} asks to become a member of {unit.name}"
                + (f": “{message}”" if message else ".")
                + " Approve or decline it on the unit's page in Modelshelf.",
            )
    except IntegrityError as clash:
        raise Conflict(f"Your request to join {unit.name} is already waiting.") from clash
    return ask


def join_request_decide(*, ask: JoinRequest, manager: User, approve: bool) -> JoinRequest:
    """A manager of the unit lets the person in (a member's membership) or declines; once."""
    if not User.objects.managers_of([ask.unit_id]).filter(pk=manager.pk).exists():
        raise PermissionDenied("Only the unit's managers decide who joins it.")
    with transaction.atomic():
        locked = (
            JoinRequest.objects.select_for_update(of=("self",))
            .select_related("user", "unit")
            .get(pk=ask.pk)
        )
        if locked.status != JoinRequest.Status.PENDING:
            raise Conflict(f"This request was already {locked.get_status_display().lower()}.")
        locked.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
        locked.decided_by = manager
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            Membership.objects.get_or_create(
                user=locked.user, unit=locked.unit, defaults={"role": Membership.Role.MEMBER}
            )
        verdict = "approved" if approve else "declined"
        notify(
            recipients=[locked.user],
            subject=f"Your request to join {locked.unit.name} was {verdict}",
            body=f"{_name(manager)} {verdict} your request to join {locked.unit.name}."
            + (" You can now request models for it." if approve else ""),
        )
    return locked


def user_deactivate(*, user: User, reason: str = "user deactivated") -> list[RoleChange]:
    """Deactivate `user` and end every role they hold (unit memberships and groups: approver,
    catalog admin…), one RoleChange per role, in one transaction. A deactivated person holds no
    role, so no role query can ever tell them anything, even if reactivated later by mistake:
    roles come back only by being granted again (or by the identity provider at sign-in)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        memberships = list(Membership.objects.filter(user=user).select_related("unit"))
        groups = list(user.groups.order_by("name").values_list("name", flat=True))
        changes = [
            RoleChange(
                user=user,
                action=RoleChange.Action.REVOKED,
                role=f"{membership.role} of {membership.unit.name}",
                reason=reason,
            )
            for membership in memberships
        ] + [
            RoleChange(
                user=user, action=RoleChange.Action.REVOKED, role=f"group {name}", reason=reason
            )
            for name in groups
        ]
        # The audit signals would record these as "changed here": the rows below say why.
        with idp_sync():
            Membership.objects.filter(pk__in=[m.pk for m in memberships]).delete()
            user.groups.clear()
            IdpGroupGrant.objects.filter(user=user).delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
        return RoleChange.objects.bulk_create(changes)

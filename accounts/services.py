"""Writes to people that carry a rule: deactivation ends every role, audited."""

from django.db import transaction

from accounts.models import IdpGroupGrant, Membership, RoleChange, User
from accounts.role_audit import idp_sync


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

"""Role changes made here (the admin, a shell, seed_demo) are audited like the IdP's: a
RoleChange row saying who made it. Sign-in's own sync writes its rows itself."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from simple_history.models import HistoricalRecords

from accounts.models import Membership, RoleChange, User

_syncing: ContextVar[bool] = ContextVar("idp_role_sync", default=False)


@contextmanager
def idp_sync() -> Iterator[None]:
    """Inside, changes are sign-in's, recorded with their IdP group by roles_sync."""
    token = _syncing.set(True)
    try:
        yield
    finally:
        _syncing.reset(token)


def _reason() -> str:
    request = getattr(HistoricalRecords.context, "request", None)
    actor = getattr(request, "user", None)
    if actor is not None and actor.is_authenticated:
        return f"changed here by {actor.get_username()}"
    return "changed here"


def _group_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    if _syncing.get() or action not in ("post_add", "post_remove", "pre_clear"):
        return
    verb = RoleChange.Action.GRANTED if action == "post_add" else RoleChange.Action.REVOKED
    if reverse:  # group.user_set.add(...)
        pairs = [(user, instance.name) for user in User.objects.filter(pk__in=pk_set or ())]
        if action == "pre_clear":
            pairs = [(user, instance.name) for user in instance.user_set.all()]
    else:
        names = Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True)
        if action == "pre_clear":
            names = instance.groups.values_list("name", flat=True)
        pairs = [(instance, name) for name in names]
    RoleChange.objects.bulk_create(
        RoleChange(user=user, action=verb, role=f"group {name}", reason=_reason())
        for user, name in pairs
    )


def _membership_before(sender: Any, instance: Membership, **kw: Any) -> None:
    instance._role_before = (  # type: ignore[attr-defined]  # read back by the post_save hook
        Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
        if instance.pk
        else None
    )


def _membership_saved(sender: Any, instance: Membership, created: bool, **kw: Any) -> None:
    before = getattr(instance, "_role_before", None)
    if _syncing.get() or (not created and before == instance.role):
        return
    role = f"{instance.role} of {instance.unit.name}"
    if created:
        RoleChange.objects.create(
            user=instance.user, action=RoleChange.Action.GRANTED, role=role, reason=_reason()
        )
    else:
        RoleChange.objects.create(
            user=instance.user,
            action=RoleChange.Action.CHANGED,
            role=f"{role} (was {before})",
            reason=_reason(),
        )


def _membership_deleted(sender: Any, instance: Membership, origin: Any = None, **kw: Any) -> None:
    if _syncing.get():
        return
    if isinstance(origin, User) or getattr(origin, "model", None) is User:
        return  # the user is being deleted, and their audit rows with them
    RoleChange.objects.create(
        user_id=instance.user_id,
        action=RoleChange.Action.REVOKED,
        role=f"{instance.role} of {instance.unit.name}",
        reason=_reason(),
    )


def connect() -> None:
    m2m_changed.connect(
        _group_changed, sender=User.groups.through, dispatch_uid="role_audit_groups"
    )
    pre_save.connect(_membership_before, sender=Membership, dispatch_uid="role_audit_before")
    post_save.connect(_membership_saved, sender=Membership, dispatch_uid="role_audit_saved")
    post_delete.connect(_membership_deleted, sender=Membership, dispatch_uid="role_audit_deleted")

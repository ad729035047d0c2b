"""Roles from the identity provider's groups: what a sign-in's claims grant, and applying it.

The claims are untrusted input. `roles_from_claims` is pure (tested with generated claims);
`roles_sync` applies the result, touching only what the IdP granted before, and writes a
RoleChange row for every difference.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import (
    APPROVERS_GROUP,
    CATALOG_ADMINS_GROUP,
    BusinessUnit,
    IdpGroupGrant,
    Membership,
    RoleChange,
    User,
)
from accounts.role_audit import idp_sync

SUB_MAX_LENGTH = 255
MAX_GROUPS = 5000  # Entra ID sends at most 200 in a token; far more is junk, not a person


class ClaimsError(ValueError):
    """The provider's claims cannot be trusted to name a person or their groups."""


@dataclass(frozen=True)
class GroupMapping:
    """Which IdP groups grant the site-wide roles (from OIDC_*_GROUPS)."""

    claim: str = "groups"
    approver_groups: tuple[str, ...] = ()
    catalog_admin_groups: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls) -> "GroupMapping":
        return cls(
            claim=settings.OIDC_GROUPS_CLAIM,
            approver_groups=tuple(settings.OIDC_APPROVER_GROUPS),
            catalog_admin_groups=tuple(settings.OIDC_CATALOG_ADMIN_GROUPS),
        )


@dataclass(frozen=True)
class UnitGroups:
    """A unit's IdP groups, as set in the admin."""

    unit_id: int
    member_group: str
    manager_group: str


@dataclass(frozen=True)
class IdpRoles:
    """What the IdP grants at this sign-in: Django group → IdP group that grants it, and
    unit id → (role, IdP group that grants it)."""

    groups: dict[str, str] = field(default_factory=dict)
    units: dict[int, tuple[str, str]] = field(default_factory=dict)


def subject_from_claims(claims: Mapping[str, object]) -> str:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise ClaimsError("the identity provider sent no subject (sub) for this person")
    if len(sub) > SUB_MAX_LENGTH or "\x00" in sub:
        raise ClaimsError("the identity provider sent an unusable subject (sub)")
    return sub


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def groups_from_claims(claims: Mapping[str, object], claim: str) -> list[str]:
    """A missing claim means no groups; anything but a list of strings is refused, since
    guessing (a comma-separated string? one group?) could grant or keep a role wrongly."""
    if claim not in claims and claim in _mapping(claims.get("_claim_names")):
        # Entra ID's "group overage": too many groups to list, so none are. Treating that as
        # "no groups" would take every IdP role away.
        raise ClaimsError(
            f"the '{claim}' claim was left out (too many groups): send only the groups "
            "assigned to the application"
        )
    raw = claims.get(claim, [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ClaimsError(f"the '{claim}' claim is not a list of group names")
    if len(raw) > MAX_GROUPS or not all(isinstance(group, str) for group in raw):
        raise ClaimsError(f"the '{claim}' claim is not a list of group names")
    return raw


def roles_from_claims(
    claims: Mapping[str, object], *, mapping: GroupMapping, units: Iterable[UnitGroups]
) -> IdpRoles:
    """The roles the claims grant; raises ClaimsError for claims that cannot be trusted."""
    subject_from_claims(claims)
    held = set(groups_from_claims(claims, mapping.claim))
    roles = IdpRoles()
    for local_name, idp_groups in (
        (APPROVERS_GROUP, mapping.approver_groups),
        (CATALOG_ADMINS_GROUP, mapping.catalog_admin_groups),
    ):
        granting = sorted(held.intersection(idp_groups))
        if granting:
            roles.groups[local_name] = granting[0]
    for unit in units:
        # Managers also request for their unit, so the manager group wins over the member one.
        if unit.manager_group and unit.manager_group in held:
            roles.units[unit.unit_id] = (Membership.Role.MANAGER, unit.manager_group)
        elif unit.member_group and unit.member_group in held:
            roles.units[unit.unit_id] = (Membership.Role.MEMBER, unit.member_group)
    return roles


def units_with_groups() -> list[UnitGroups]:
    return [
        UnitGroups(pk, member, manager)
        for pk, member, manager in BusinessUnit.objects.exclude(
            idp_member_group="", idp_manager_group=""
        ).values_list("pk", "idp_member_group", "idp_manager_group")
    ]


@transaction.atomic
def roles_sync(*, user: User, roles: IdpRoles) -> list[RoleChange]:
    """Make the user's IdP-granted roles exactly `roles`; local grants are kept as they are."""
    changes: list[RoleChange] = []

    def record(action: str, role: str, reason: str) -> None:
        changes.append(RoleChange(user=user, action=action, role=role, reason=reason))

    with idp_sync():
        _apply(user, roles, record)
    RoleChange.objects.bulk_create(changes)
    user.__dict__.pop("_group_names", None)  # User.in_group's cache is now stale
    return changes


def _apply(user: User, roles: IdpRoles, record: Callable[[str, str, str], None]) -> None:
    grants = {grant.group.name: grant for grant in user.idp_group_grants.select_related("group")}
    held = set(user.groups.values_list("name", flat=True))
    for name, idp_group in sorted(roles.groups.items()):
        if name in grants or name in held:
            continue  # already the IdP's, or granted here (and then it stays local)
        group = Group.objects.get_or_create(name=name)[0]
        user.groups.add(group)
        IdpGroupGrant.objects.create(user=user, group=group, idp_group=idp_group)
        record(RoleChange.Action.GRANTED, f"group {name}", f"granted by IdP group {idp_group}")
    for name, grant in sorted(grants.items()):
        if name not in roles.groups:
            user.groups.remove(grant.group)
            grant.delete()
            record(
                RoleChange.Action.REVOKED,
                f"group {name}",
                f"IdP group {grant.idp_group} no longer held",
            )

    memberships = {m.unit_id: m for m in user.memberships.select_related("unit")}
    names = dict(BusinessUnit.objects.filter(pk__in=roles.units).values_list("pk", "name"))
    for unit_id, (role, idp_group) in sorted(roles.units.items()):
        membership = memberships.get(unit_id)
        if membership is None:
            Membership.objects.create(
                user=user,
                unit_id=unit_id,
                role=role,
                source=Membership.Source.IDP,
                idp_group=idp_group,
            )
            record(
                RoleChange.Action.GRANTED,
                f"{role} of {names[unit_id]}",
                f"granted by IdP group {idp_group}",
            )
        elif membership.source == Membership.Source.IDP and (
            membership.role != role or membership.idp_group != idp_group
        ):
            if membership.role != role:
                record(
                    RoleChange.Action.CHANGED,
                    f"{role} of {names[unit_id]} (was {membership.role})",
                    f"granted by IdP group {idp_group}",
                )
            membership.role, membership.idp_group = role, idp_group
            membership.save(update_fields=["role", "idp_group"])
    for unit_id, membership in sorted(memberships.items()):
        if membership.source == Membership.Source.IDP and unit_id not in roles.units:
            membership.delete()
            record(
                RoleChange.Action.REVOKED,
                f"{membership.role} of {membership.unit.name}",
                f"IdP group {membership.idp_group} no longer held",
            )

"""What the top bar shows on every page: the approver's queue size and the user's units."""

from typing import Any, NamedTuple

from django.contrib.auth.models import Group
from django.db.models import CharField, Value
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import APPROVERS_GROUP, BusinessUnit, User
from catalog.choices import RequestStatus
from catalog.models import ApprovalRequest

GROUP, UNIT = "group", "unit"


class UnitLink(NamedTuple):
    slug: str
    name: str


def pending_count() -> int:
    """Requests waiting for an approver: the count in the bar, also sent after each decision."""
    return ApprovalRequest.objects.filter(status=RequestStatus.PENDING).count()


def groups_and_units(user: User) -> tuple[set[str], list[UnitLink]]:
    """The user's group names and units (by name), read together in one query; the groups
    also answer the user's `in_group` for the rest of the request."""
    kind = {"output_field": CharField()}
    groups = Group.objects.filter(user=user).values_list(
        Value(GROUP, **kind), Value("", **kind), "name"
    )
    units = BusinessUnit.objects.filter(memberships__user=user).values_list(
        Value(UNIT, **kind), "slug", "name"
    )
    rows = list(groups.union(units, all=True).order_by("name"))
    names = {name for source, _, name in rows if source == GROUP}
    user.remember_groups(names)
    return names, [UnitLink(slug, name) for source, slug, name in rows if source == UNIT]


def nav(request: HttpRequest) -> dict[str, Any]:
    """Lazy, so pages without the bar (and anonymous visitors) pay no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = SimpleLazyObject(lambda: groups_and_units(user))
    return {
        "pending_approvals": SimpleLazyObject(pending_count),  # shown to approvers only
        "nav_is_approver": SimpleLazyObject(lambda: APPROVERS_GROUP in roles[0]),
        "my_units": SimpleLazyObject(lambda: roles[1]),
    }

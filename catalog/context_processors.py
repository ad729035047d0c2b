"""What the top bar shows on every page: its links, the approver's queue size, the user's
units and unread notices."""

from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from accounts.models import APPROVERS_GROUP, BusinessUnit, Membership, User
from catalog.choices import RequestStatus
from catalog.models import ApprovalRequest
from core.models import Notice

GROUP, UNIT, UNREAD = "group", "unit", "unread"
# The bar's links by name in base.html: reversed once per process (per script prefix and URLconf),
# not a dozen times a page.
NAV_VIEWS = {
    "home": "catalog:home",
    "recommend": "catalog:recommend",
    "requests": "catalog:request_list",
    "approvals": "catalog:approval_queue",
    "status": "catalog:status",
    "evals": "evaluations:suite_list",
    "landscape": "evaluations:landscape",
    "spend": "usage:company",
    "profile": "accounts:profile",
    "admin": "admin:index",
    "logout": "logout",
    "api_docs": "api-docs",
    "units": "catalog:unit_list",
    "notices": "core:notices",
}


class UnitLink(NamedTuple):
    slug: str
    name: str


def pending_count() -> int:
    """Requests waiting for an approver: the count in the bar, also sent after each decision."""
    return ApprovalRequest.objects.filter(status=RequestStatus.PENDING).count()


@cache
def _groups_and_units_sql() -> str:
    """One statement for both lists; the ORM's UNION of the two querysets compiled for longer
    than the two queries it replaced took to run."""
    table = connection.ops.quote_name
    user_groups = User.groups.through._meta.db_table
    return (
        f"SELECT '{GROUP}', '', g.name FROM {table(Group._meta.db_table)} g "
        f"JOIN {table(user_groups)} ug ON ug.group_id = g.id WHERE ug.user_id = %s "
        f"UNION ALL SELECT '{UNIT}', u.slug, u.name FROM {table(BusinessUnit._meta.db_table)} u "
        f"JOIN {table(Membership._meta.db_table)} m ON m.unit_id = u.id WHERE m.user_id = %s "
        f"UNION ALL SELECT '{UNREAD}', '', CAST(COUNT(*) AS TEXT) "
        f"FROM {table(Notice._meta.db_table)} n WHERE n.recipient_id = %s AND n.read_at IS NULL "
        "ORDER BY 1, 3"
    )


class TopBar(NamedTuple):
    groups: set[str]
    units: list[UnitLink]
    unread: int


def groups_and_units(user: User) -> TopBar:
    """The user's group names, units (by name) and unread notices, read together in one query;
    the groups also answer the user's `in_group` for the rest of the request."""
    with connection.cursor() as cursor:
        cursor.execute(_groups_and_units_sql(), [user.pk, user.pk, user.pk])
        rows = cursor.fetchall()
    names = {name for source, _, name in rows if source == GROUP}
    user.remember_groups(names)
    units = [UnitLink(slug, name) for source, slug, name in rows if source == UNIT]
    return TopBar(names, units, sum(int(count) for source, _, count in rows if source == UNREAD))


@cache
def _nav_urls(script_prefix: str, urlconf: str) -> dict[str, str]:
    return {name: reverse(view, urlconf) for name, view in NAV_VIEWS.items()}


def nav(request: HttpRequest) -> dict[str, Any]:
    """Lazy, so pages without the bar (and anonymous visitors) pay no query."""
    urls = _nav_urls(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_urls": urls}
    roles = SimpleLazyObject(lambda: groups_and_units(user))
    return {
        "nav_urls": urls,
        "pending_approvals": SimpleLazyObject(pending_count),  # shown to approvers only
        "nav_is_approver": SimpleLazyObject(lambda: APPROVERS_GROUP in roles.groups),
        "my_units": SimpleLazyObject(lambda: roles.units),
        "unread_notices": SimpleLazyObject(lambda: roles.unread),
    }

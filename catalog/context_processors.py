"""What the top bar shows on every page: the approver's queue size and the user's units."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import BusinessUnit
from catalog.choices import RequestStatus
from catalog.models import ApprovalRequest


def pending_count() -> int:
    """Requests waiting for an approver: the count in the bar, also sent after each decision."""
    return ApprovalRequest.objects.filter(status=RequestStatus.PENDING).count()


def nav(request: HttpRequest) -> dict[str, Any]:
    """Lazy, so pages without the bar (and anonymous visitors) pay no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "pending_approvals": SimpleLazyObject(pending_count),  # shown to approvers only
        "my_units": SimpleLazyObject(
            lambda: list(
                BusinessUnit.objects.filter(memberships__user=user)
                .distinct()
                .order_by("name")
                .only("slug", "name")
            )
        ),
    }

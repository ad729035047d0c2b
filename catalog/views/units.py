"""A business unit's page: what it uses and for what, cost against budget, what it could save."""

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import BusinessUnit, JoinRequest, Membership
from accounts.signed_in import signed_in_user
from catalog.choices import RequestStatus
from catalog.models import Adoption, ApprovalRequest, PriceObservation
from catalog.services.approvals import adoption_renew, adoption_revoke
from catalog.services.budgets import unit_forecast
from catalog.services.lifecycle_actions import unit_lifecycles
from catalog.services.revocations import UNDO_MINUTES, recent_revocations
from catalog.services.rightsizing import unit_savings
from core.errors import Conflict, InvalidRequest

PRICE_CHANGE_DAYS = 90
RECENT = 10


def _meter(used: int | None, total: Decimal) -> int | None:
    """The meter's fill: a spend under 1 % still shows a sliver, and the bar stops at 100."""
    if used is None:
        return None
    return min(max(used, 1 if total > 0 else 0), 100)


def _used_label(used: int | None, total: Decimal) -> str:
    """Says "<1 %" for a spend too small to round to a percent, which "0 %" would misstate."""
    if used is None:
        return ""
    return "<1 %" if used == 0 and total > 0 else f"{used} %"


ADOPTION_ACTIONS = {
    "revoke": lambda adoption, user: adoption_revoke(adoption=adoption, user=user),
    "renew": lambda adoption, user: adoption_renew(adoption=adoption, approver=user),
}
DONE = {"revoke": "revoked", "renew": "renewed"}


@require_POST
def adoption_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Revoke (the unit's managers, catalog admins) or renew (approvers) from the unit page,
    through the same services as the API; a refusal is a message, never a 500."""
    adoption = get_object_or_404(
        Adoption.objects.select_related("unit", "model", "approval"), pk=pk
    )
    if action not in ADOPTION_ACTIONS:
        raise Http404("No such action.")
    try:
        ADOPTION_ACTIONS[action](adoption, request.user)
    except (PermissionDenied, Conflict, InvalidRequest) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"{adoption.model.name} {DONE[action]} for {adoption.unit.name}.")
    return redirect("catalog:unit_detail", slug=adoption.unit.slug)


def unit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Every employee may read a unit's allow-list (what gateways serve it, nothing more);
    pending requests show as far as visible."""
    unit = get_object_or_404(BusinessUnit, slug=slug)
    adoptions = list(
        Adoption.objects.callable_now()
        .filter(unit=unit)
        .select_related("model__vendor", "model__successor")
        .order_by("model__name")
    )
    lifecycles = unit_lifecycles(unit=unit, adoptions=adoptions)
    for adoption in adoptions:
        adoption.lifecycle = lifecycles.get(adoption.pk)  # type: ignore[attr-defined]
    forecast = unit_forecast(unit, adoptions)
    savings = [s for s in unit_savings(unit) if s.monthly_saving or s.successor]
    model_ids = [a.model_id for a in adoptions]
    used = forecast.budget_used_percent
    managers = list(
        Membership.objects.filter(unit=unit, role=Membership.Role.MANAGER)
        .select_related("user")
        .order_by("user__username")
    )
    user = signed_in_user(request)
    is_manager = any(m.user_id == user.pk for m in managers)
    can_revoke = user.is_catalog_admin or is_manager
    is_member = Membership.objects.filter(unit=unit, user=user).exists()
    context = {
        "unit": unit,
        "adoptions": adoptions,
        "forecast": forecast,
        "budget_used": _meter(used, forecast.total),
        "budget_label": _used_label(used, forecast.total),
        "savings": savings,
        "total_saving": sum((s.monthly_saving or Decimal(0) for s in savings), Decimal("0.00")),
        "soon": timezone.now() + timedelta(days=30),
        "pending": ApprovalRequest.objects.visible_to(user)
        .filter(unit=unit, status=RequestStatus.PENDING)
        .select_related("model", "requester"),
        # Changes only: a model's first observation is its import, not a change (as on /status/).
        "price_changes": PriceObservation.objects.filter(
            Exists(
                PriceObservation.objects.filter(
                    model=OuterRef("model"), observed_at__lt=OuterRef("observed_at")
                )
            ),
            model_id__in=model_ids,
            observed_at__gte=timezone.now() - timedelta(days=PRICE_CHANGE_DAYS),
        )
        .select_related("model")
        .order_by("-observed_at", "-id")[:RECENT],
        "managers": managers,
        "can_revoke": can_revoke,
        "recently_revoked": recent_revocations(unit=unit) if can_revoke else [],
        "undo_minutes": UNDO_MINUTES,
        "can_renew": user.is_approver,
        "is_member": is_member,
        # Asks to join: the managers decide them here; anyone else sees their own ask, if any.
        "join_requests": unit.join_requests.filter(status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at")
        if is_manager
        else [],
        "asked_to_join": not is_member
        and unit.join_requests.filter(user=user, status=JoinRequest.Status.PENDING).exists(),
    }
    return render(request, "catalog/unit_detail.html", context)

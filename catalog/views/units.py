"""A business unit's page: what it uses and for what, what that costs against its budget."""

from datetime import timedelta
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.models import BusinessUnit, Membership
from catalog.choices import AdoptionStatus, RequestStatus
from catalog.models import Adoption, ApprovalRequest, PriceObservation

PRICE_CHANGE_DAYS = 90
RECENT = 10


def unit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Every employee may read a unit's allow-list; pending requests show as far as visible."""
    unit = get_object_or_404(BusinessUnit, slug=slug)
    adoptions = list(
        Adoption.objects.filter(unit=unit, status=AdoptionStatus.ACTIVE)
        .select_related("model__vendor")
        .order_by("model__name")
    )
    costs = [a.estimated_monthly_cost for a in adoptions]
    forecast = sum((c for c in costs if c is not None), Decimal("0.00"))
    budget = unit.monthly_budget
    model_ids = [a.model_id for a in adoptions]
    context = {
        "unit": unit,
        "adoptions": adoptions,
        "forecast": forecast,
        "unpriced": sum(1 for c in costs if c is None),
        "budget": budget,
        "budget_used": min(int(forecast / budget * 100), 100) if budget else None,
        "over_budget": budget is not None and forecast > budget,
        "soon": timezone.now() + timedelta(days=30),
        "pending": ApprovalRequest.objects.visible_to(request.user)  # type: ignore[arg-type]
        .filter(unit=unit, status=RequestStatus.PENDING)
        .select_related("model", "requester"),
        "price_changes": PriceObservation.objects.filter(
            model_id__in=model_ids,
            observed_at__gte=timezone.now() - timedelta(days=PRICE_CHANGE_DAYS),
        )
        .select_related("model")
        .order_by("-observed_at", "-id")[:RECENT],
        "managers": Membership.objects.filter(unit=unit, role=Membership.Role.MANAGER)
        .select_related("user")
        .order_by("user__username"),
        "is_member": Membership.objects.filter(unit=unit, user=request.user).exists(),
    }
    return render(request, "catalog/unit_detail.html", context)

"""`/usage/`: the company's AI spend by month, as far as the viewer may see units' usage."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.signed_in import signed_in_user
from core.htmx import render_page
from usage.choices import FindingKind, FindingStatus
from usage.services.company import company_month
from usage.services.reports import recent_months, units_visible_to

MONTHS_SHOWN = 12


def company_usage(request: HttpRequest) -> HttpResponse:
    """Filterable by month and unit, its findings by status and kind; an unknown value falls
    back to all (never an error)."""
    months = recent_months(timezone.now().date(), MONTHS_SHOWN)
    month = next((m for m in months if f"{m:%Y-%m}" == request.GET.get("month")), months[0])
    user = signed_in_user(request)
    units = units_visible_to(user)
    unit_choices = list(units.values_list("slug", "name"))
    chosen = request.GET.get("unit", "")
    if chosen in dict(unit_choices):
        units = units.filter(slug=chosen)
    else:
        chosen = ""
    # The findings' filters: an unknown value falls back to all, as month and unit do.
    finding_filters = {
        name: value
        for name, choices in (("status", FindingStatus), ("kind", FindingKind))
        if (value := request.GET.get(name, "")) in choices.values
    }
    context = {
        "report": company_month(units, month, finding_filters),
        "units": units,  # the gateway findings' too (gateways/partials/company_gateway.html)
        "finding_filters": finding_filters,
        "statuses": FindingStatus.choices,
        "kinds": FindingKind.choices,
        "months": months,
        "month": month,
        "unit_choices": unit_choices,
        "chosen_unit": chosen,
        "sees_all": user.is_approver or user.is_catalog_admin,
    }
    return render_page(request, "usage/company.html", "usage/partials/company_body.html", context)

"""The unit page's usage panel, rendered by the usage app so catalog's views never import it."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from accounts.models import BusinessUnit
from catalog.models import Adoption
from usage.choices import FindingStatus
from usage.models import UsageFinding
from usage.services.finding_workflow import may_act_on_finding
from usage.services.reports import (
    adoption_month_actual,
    recent_months,
    unit_months,
    units_visible_to,
)

register = template.Library()
MONTHS_SHOWN = 6
FINDINGS_SHOWN = 10


def manager_ids(context: template.Context) -> set[int] | None:
    """The unit page's managers, read once by the page (no query of our own); None elsewhere."""
    managers = context.get("managers")
    return None if managers is None else {m.user_id for m in managers}


@register.inclusion_tag("usage/partials/unit_usage_panel.html", takes_context=True)
def unit_usage(context: template.Context, unit: BusinessUnit) -> dict[str, Any]:
    """Actual vs forecast vs budget for the last months, and the unit's findings; nothing for
    viewers who may not see the unit's usage (every employee may see its page)."""
    user = context["request"].user
    # The unit page has already worked out membership and the forecast: reuse, don't re-query.
    member = context.get("is_member")
    if member is None:
        member = units_visible_to(user).filter(pk=unit.pk).exists()
    if not (member or user.is_approver or user.is_catalog_admin):
        return {"visible": False}
    months = list(reversed(recent_months(timezone.now().date(), MONTHS_SHOWN)))
    figures = unit_months(unit, months)
    chart = [
        {
            "month": f"{f.month:%b %Y}",
            "actual": str(f.actual),
            "forecast": str(f.forecast),
            "budget": None if f.budget is None else str(f.budget),
        }
        for f in figures
    ]
    findings = list(
        UsageFinding.objects.filter(unit=unit).select_related("model", "acknowledged_by")[
            :FINDINGS_SHOWN
        ]
    )
    return {
        "visible": True,
        "unit": unit,
        "figures": figures,
        "chart": chart,
        "findings": findings,
        "finding_counts": [
            (label, count)
            for status, label in FindingStatus.choices
            if (count := sum(1 for f in findings if f.status == status))
        ],
        "can_act": may_act_on_finding(user=user, unit_id=unit.pk, manager_ids=manager_ids(context)),
        "request": context["request"],
    }


@register.simple_tag
def spend_so_far(adoption: Adoption) -> Decimal | None:
    """`{% spend_so_far adoption as spent %}`: this month's actual for the adoption's model, for
    pages of the catalog (the revoke page) that may not import usage."""
    return adoption_month_actual(adoption, timezone.now().date())

"""`{% unit_gateway_line unit %}`: one line on the unit page saying whether the gateways its
apps call enforce its allow-list, with the findings and what to do for those who may see them."""

from typing import Any

from django import template
from django.db.models import Count, Q

from accounts.models import BusinessUnit, User
from gateways.choices import FindingStatus
from gateways.models import GatewayFinding, GatewayProbe

register = template.Library()


@register.inclusion_tag("gateways/partials/unit_gateway_line.html", takes_context=True)
def unit_gateway_line(context: dict[str, Any], unit: BusinessUnit) -> dict[str, Any]:
    """The unit's probed gateways, each with its open findings counted (one query) and, for
    its members, managers, approvers and catalog admins, the findings themselves (one more)."""
    user: User = context["request"].user
    probes = list(
        GatewayProbe.objects.filter(unit=unit, active=True, gateway__active=True)
        .select_related("gateway")
        .annotate(open_count=Count("findings", filter=Q(findings__status=FindingStatus.OPEN)))
    )
    findings: list[GatewayFinding] = []
    if any(probe.open_count for probe in probes):
        findings = list(
            GatewayFinding.objects.visible_to(user).filter(unit=unit, status=FindingStatus.OPEN)
        )
    return {"unit": unit, "probes": probes, "findings": findings}

"""`{% unit_gateway_line unit %}`: one line on the unit page saying whether the gateways its
apps call enforce its allow-list, with the findings, their next step and the findings workflow
for those who may see them."""

from typing import Any

from django import template
from django.db.models import Count, Q

from accounts.models import BusinessUnit, User
from gateways.choices import FindingStatus
from gateways.models import GatewayFinding, GatewayProbe, findings_visible_to
from usage.services.finding_workflow import may_act_on_finding
from usage.templatetags.usage_ui import manager_ids

register = template.Library()
UNRESOLVED = ~Q(findings__status=FindingStatus.RESOLVED)


@register.inclusion_tag("gateways/partials/unit_gateway_line.html", takes_context=True)
def unit_gateway_line(context: template.Context, unit: BusinessUnit) -> dict[str, Any]:
    """The unit's probed gateways, each with its unresolved findings counted (one query) and,
    for its members, managers, approvers and catalog admins, the findings themselves (one
    more)."""
    user: User = context["request"].user
    probes = list(
        GatewayProbe.objects.filter(unit=unit, active=True, gateway__active=True)
        .select_related("gateway")
        .annotate(open_count=Count("findings", filter=UNRESOLVED))
    )
    findings: list[GatewayFinding] = []
    if any(probe.open_count for probe in probes):
        findings = list(
            findings_visible_to(user)
            .filter(unit=unit)
            .exclude(status=FindingStatus.RESOLVED)
            .select_related("gateway")
        )
    can_act = bool(findings) and may_act_on_finding(
        user=user, unit_id=unit.pk, manager_ids=manager_ids(context)
    )
    return {
        "unit": unit,
        "probes": probes,
        "findings": findings,
        "can_act": can_act,
        "request": context["request"],
    }


@register.simple_tag
def gateways_of(unit: BusinessUnit) -> list[str]:
    """`{% gateways_of unit as names %}`: the active gateways checked for the unit (its apps
    call models through them), by name, for catalog pages that may not import gateways."""
    probes = GatewayProbe.objects.filter(unit=unit, active=True, gateway__active=True)
    return list(probes.order_by("gateway__name").values_list("gateway__name", flat=True))

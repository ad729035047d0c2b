"""`{% unit_gateway_line unit %}`: one line on the unit page saying whether the gateways its
apps call enforce its allow-list, with the findings, their next step and the findings workflow
for those who may see them. `{% company_gateway_findings … %}`: the same findings on `/usage/`,
counted and filtered beside the usage findings. Catalog and usage pages show them through
these tags, as they may not import gateways."""

from datetime import date
from typing import Any

from django import template
from django.db.models import Count, Q, QuerySet

from accounts.models import BusinessUnit, User
from gateways.choices import FindingStatus
from gateways.models import GatewayFinding, GatewayProbe, findings_visible_to
from usage.services.finding_workflow import may_act_on_finding
from usage.services.reports import month_end
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


@register.inclusion_tag("gateways/partials/company_gateway_findings.html", takes_context=True)
def company_gateway_findings(
    context: template.Context, units: QuerySet[BusinessUnit], month: date, status: str | None
) -> dict[str, Any]:
    """The gateway findings of `units` that checks saw during `month`, as far as the viewer may
    see them: counted by status (one query) and listed, narrowed to `status` if given (one
    more). Approvers and catalog admins act on them here, as on the usage findings."""
    user: User = context["request"].user
    seen = findings_visible_to(user).filter(
        unit__in=units, first_seen__date__lte=month_end(month), last_seen__date__gte=month
    )
    counts = dict(seen.order_by().values_list("status").annotate(n=Count("id")))
    facets = [
        (value, label, counts[value]) for value, label in FindingStatus.choices if value in counts
    ]
    listed = seen.filter(status=status) if status else seen
    return {
        "findings": list(listed.select_related("gateway")),
        "status_facets": facets,
        "status": status,
        "can_act": user.is_approver or user.is_catalog_admin,
        "request": context["request"],
    }


@register.simple_tag
def gateways_of(unit: BusinessUnit) -> list[str]:
    """`{% gateways_of unit as names %}`: the active gateways checked for the unit (its apps
    call models through them), by name, for catalog pages that may not import gateways."""
    probes = GatewayProbe.objects.filter(unit=unit, active=True, gateway__active=True)
    return list(probes.order_by("gateway__name").values_list("gateway__name", flat=True))

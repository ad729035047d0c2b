"""`/gateways/`: catalog admins see each gateway, its last check, its open findings, and what
applying its plan would change (fetched on demand: a plan asks the gateway)."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import InvalidRequest
from gateways.choices import FindingStatus
from gateways.models import Gateway, GatewayFinding
from gateways.services.plans import gateway_plan
from gateways.tasks import apply_gateway_plan, check_gateways


def _require_catalog_admin(request: HttpRequest) -> None:
    if not request.user.is_catalog_admin:  # type: ignore[union-attr]
        raise Http404("No such page.")


def gateway_list(request: HttpRequest) -> HttpResponse:
    """Every gateway with its probes counted and its open findings, in two queries."""
    _require_catalog_admin(request)
    open_findings = GatewayFinding.objects.exclude(status=FindingStatus.RESOLVED).select_related(
        "unit"
    )
    gateways = Gateway.objects.annotate(
        probe_count=Count("probes", filter=Q(probes__active=True))
    ).prefetch_related(Prefetch("findings", queryset=open_findings, to_attr="open_findings"))
    return render(request, "gateways/gateway_list.html", {"gateways": gateways})


def gateway_plan_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan of one gateway (it asks the gateway for each team), as a fragment."""
    _require_catalog_admin(request)
    gateway = get_object_or_404(Gateway, pk=pk)
    try:
        plans, error = gateway_plan(gateway=gateway), ""
    except InvalidRequest as problem:
        plans, error = [], str(problem)
    context = {"gateway": gateway, "plans": plans, "error": error}
    return render(request, "gateways/partials/plan.html", context)


@require_POST
def gateway_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Check now, or apply the plan: queued after this request commits."""
    _require_catalog_admin(request)
    gateway = get_object_or_404(Gateway, pk=pk)
    user_id = request.user.pk
    if action == "check":
        transaction.on_commit(lambda: check_gateways.delay(gateway_ids=[gateway.pk]))
        messages.success(request, f"Checking {gateway.name} now; reload in a moment.")
    elif action == "apply":
        transaction.on_commit(lambda: apply_gateway_plan.delay(gateway.pk, user_id))
        messages.success(request, f"Applying {gateway.name}'s plan to its teams.")
    else:
        raise Http404("No such action.")
    return redirect("gateways:list")

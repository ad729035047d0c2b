"""Acknowledge or resolve a finding from the unit page or /usage/, through the same services as
the API; a refusal is a message, and the page comes back where the finding is."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.signed_in import signed_in_user
from core.errors import Conflict, InvalidRequest
from usage.models import UsageFinding
from usage.services.finding_workflow import finding_acknowledge, finding_resolve
from usage.services.reports import units_visible_to

ACTIONS = {"acknowledge": finding_acknowledge, "resolve": finding_resolve}
DONE = {"acknowledge": "acknowledged", "resolve": "resolved"}


@require_POST
def finding_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """404 for a finding the user may not see, as everywhere; the service checks who may act."""
    user = signed_in_user(request)
    seen = UsageFinding.objects.select_related("unit")
    if not (user.is_approver or user.is_catalog_admin):
        seen = seen.filter(Q(unit__in=units_visible_to(user)))
    finding = get_object_or_404(seen, pk=pk)
    act = ACTIONS.get(action)
    if act is None:
        messages.error(request, "Choose Acknowledge or Resolve.")
    else:
        try:
            act(finding=finding, user=user, note=request.POST.get("note", ""))
        except (PermissionDenied, Conflict, InvalidRequest) as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, f"{finding.get_kind_display()} finding {DONE[action]}.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("catalog:unit_detail", slug=finding.unit.slug)

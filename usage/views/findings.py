"""Acknowledge or resolve a finding (usage or gateway) from the unit page or /usage/, through
the same services as the API; a refusal is a message, and the page comes back where the finding
is."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.signed_in import signed_in_user
from core.errors import Conflict, InvalidRequest
from usage.services.finding_workflow import finding_acknowledge, finding_resolve
from usage.services.reports import findings_visible_to

ACTIONS = {"acknowledge": finding_acknowledge, "resolve": finding_resolve}
DONE = {"acknowledge": "acknowledged", "resolve": "resolved"}


@require_POST
def finding_action(
    request: HttpRequest,
    pk: int,
    action: str,
    findings: Callable[[User], QuerySet[Any]] = findings_visible_to,
) -> HttpResponse:
    """404 for a finding the user may not see, as everywhere; the service checks who may act.
    `findings` says which kind (the gateways app passes its own in its URL)."""
    user = signed_in_user(request)
    finding = get_object_or_404(findings(user), pk=pk)
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

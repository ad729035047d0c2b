"""The approvers' queue: each row decides one request in place (404 to everyone else)."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from accounts.signed_in import signed_in_user
from catalog.choices import RequestStatus
from catalog.context_processors import pending_count
from catalog.forms import LimitsForm
from catalog.models import ApprovalRequest
from catalog.services.approval_context import approval_contexts
from catalog.services.approvals import approval_request_approve, approval_request_reject
from catalog.terms import LIMIT_FIELDS
from core.errors import Conflict, InvalidRequest
from core.htmx import wants_fragment

DECISIONS = {"approve": approval_request_approve, "reject": approval_request_reject}
RECENT_DECISIONS = 20


def _require_approver(request: HttpRequest) -> None:
    if not signed_in_user(request).is_approver:
        raise Http404("No such page.")


def _queue() -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.select_related(
        "model__vendor", "model__successor", "unit", "requester", "decided_by"
    ).prefetch_related("evidence", "model__specialties")


def _with_context(rows: list[ApprovalRequest], pending: list[ApprovalRequest]) -> None:
    """Each pending row carries its unit context (`row.context`) for the template."""
    contexts = approval_contexts(rows, pending)
    for row in rows:
        row.context = contexts.get(row.pk)  # type: ignore[attr-defined]


def approval_queue(request: HttpRequest) -> HttpResponse:
    """Pending requests oldest first, then the latest decisions."""
    _require_approver(request)
    requests = _queue()
    pending = list(requests.filter(status=RequestStatus.PENDING).order_by("created_at", "id"))
    _with_context(pending, pending)
    context = {
        "pending": pending,
        "decided": requests.exclude(status=RequestStatus.PENDING)
        .exclude(decided_at=None)
        .order_by("-decided_at", "-id")[:RECENT_DECISIONS],
    }
    return render(request, "catalog/approvals.html", context)


@require_POST
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject with a comment; htmx gets the updated row back, others a redirect."""
    _require_approver(request)
    approval = get_object_or_404(_queue(), pk=pk)
    decide = DECISIONS.get(request.POST.get("decision", ""))
    error, status = "", 200
    if decide is None:
        error, status = "Choose Approve or Reject.", 400
    else:
        terms = LimitsForm(request.POST)
        if decide is approval_request_approve and not terms.is_valid():
            field, problems = next(iter(terms.errors.items()))
            error, status = f"{terms.fields[field].label}: {' '.join(map(str, problems))}", 400
            decide = None
    if decide is not None:
        # Limits left out of the form (an older page, a script) stay as the request asked.
        sets_limits = any(name in request.POST for name in LIMIT_FIELDS)
        approving = decide is approval_request_approve
        extra = {"limits": terms.limits()} if approving and sets_limits else {}
        try:
            approval = decide(
                request=approval,
                approver=signed_in_user(request),
                comment=request.POST.get("comment", "").strip(),
                **extra,
            )
        except InvalidRequest as problem:
            error, status = str(problem), 400
        except Conflict as problem:
            error, status = str(problem), 409
            approval.refresh_from_db()
        except PermissionDenied as problem:
            error, status = str(problem), 403
    if not wants_fragment(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Request #{approval.pk} {approval.status}.")
        return redirect("catalog:approval_queue")
    row = _queue().get(pk=approval.pk)
    if row.status == RequestStatus.PENDING:  # refused (a rejection without comment): as before
        _with_context([row], list(_queue().filter(status=RequestStatus.PENDING)))
    context = {"r": row, "error": error}
    response = render(request, "catalog/partials/approval_row.html", context, status=status)
    # The row changed in place: the counts in the bar and the heading follow (app.js).
    response["HX-Trigger"] = json.dumps({"approvals-changed": {"pending": pending_count()}})
    patch_vary_headers(response, ["HX-Request"])
    return response

"""Revoke from the unit page in two steps (a page that names what revoking stops, then the
button), and undo it for a few minutes after."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.signed_in import signed_in_user
from catalog.choices import AdoptionStatus
from catalog.litellm_config import names_of, with_inherited
from catalog.models import Adoption
from catalog.services.approvals import may_revoke
from catalog.services.revocations import UNDO_MINUTES, adoption_revoke_undo
from core.errors import Conflict


def adoption_revoke_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """What revoking stops, before it happens: the use case, this month's spend so far and the
    monthly cost it frees, and the names gateways stop serving the unit's apps."""
    adoptions = Adoption.objects.select_related("unit", "model__vendor")
    adoption = get_object_or_404(
        with_inherited(adoptions, timezone.now()), pk=pk, status=AdoptionStatus.ACTIVE
    )
    if not may_revoke(user=signed_in_user(request), unit_id=adoption.unit_id):
        raise PermissionDenied("Only the unit's managers or catalog admins may revoke adoptions.")
    context = {
        "adoption": adoption,
        "unit": adoption.unit,
        "aliases": names_of(adoption),  # its own name and the aliases moved to it at retirement
        "undo_minutes": UNDO_MINUTES,
    }
    return render(request, "catalog/revoke_confirm.html", context)


@require_POST
def adoption_revoke_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Restore a revocation made minutes ago; a refusal (too late, used again) is a message."""
    adoption = get_object_or_404(Adoption.objects.select_related("unit", "model"), pk=pk)
    try:
        adoption_revoke_undo(adoption=adoption, user=request.user)  # type: ignore[arg-type]
    except (PermissionDenied, Conflict) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"{adoption.model.name} is back on {adoption.unit.name}'s list.")
    return redirect("catalog:unit_detail", slug=adoption.unit.slug)

"""The unit page's way forward for a model it must leave: ask governance to review the
successor (the other way forward, requesting it, is a prefilled request form)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from catalog.models import Adoption
from catalog.services.lifecycle_actions import successor_review_ask
from core.errors import Conflict


@require_POST
def ask_successor_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Tell the catalog admins, once per unit and successor, that a unit is waiting on it."""
    adoption = get_object_or_404(Adoption.objects.select_related("unit", "model__successor"), pk=pk)
    try:
        ask, created = successor_review_ask(adoption=adoption, user=request.user)  # type: ignore[arg-type]
    except (PermissionDenied, Conflict) as problem:
        messages.error(request, str(problem))
    else:
        if created:
            messages.success(request, f"The catalog admins were asked to review {ask.model.name}.")
        else:
            messages.info(
                request,
                f"The catalog admins were already asked to review {ask.model.name} "
                f"on {ask.asked_at:%d %b %Y}.",
            )
    return redirect("catalog:unit_detail", slug=adoption.unit.slug)

"""The unit directory (who runs each unit, what it uses) and the way in for people without a
unit: "Ask to join", which the unit's managers approve on the unit page."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import BusinessUnit, JoinRequest, Membership, managers_by_unit
from accounts.services import join_request_create, join_request_decide
from catalog.models import Adoption, AIModel
from core.errors import Conflict, InvalidRequest


def unit_list(request: HttpRequest) -> HttpResponse:
    """Every unit with its managers and the models it uses; for the visitor, which they are in
    and which they have asked to join. A fixed number of queries, however many units."""
    units = list(BusinessUnit.objects.order_by("name"))
    ids = [u.pk for u in units]
    managers = managers_by_unit(ids)
    models: dict[int, list[AIModel]] = defaultdict(list)
    for adoption in (
        Adoption.objects.callable_now()
        .filter(unit_id__in=ids)
        .select_related("model")
        .order_by("model__name")
    ):
        models[adoption.unit_id].append(adoption.model)
    mine = set(Membership.objects.filter(user=request.user).values_list("unit_id", flat=True))  # type: ignore[misc]
    asked = set(
        JoinRequest.objects.filter(
            user=request.user,  # type: ignore[misc]
            status=JoinRequest.Status.PENDING,
        ).values_list("unit_id", flat=True)
    )
    rows = [
        {
            "unit": u,
            "managers": managers.get(u.pk, []),
            "models": models.get(u.pk, []),
            "member": u.pk in mine,
            "asked": u.pk in asked,
        }
        for u in units
    ]
    return render(request, "catalog/unit_list.html", {"rows": rows, "has_unit": bool(mine)})


@require_POST
def unit_join(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask to join a unit; its managers are told, and answer on the unit page."""
    unit = get_object_or_404(BusinessUnit, slug=slug)
    try:
        join_request_create(
            user=request.user,  # type: ignore[arg-type]
            unit=unit,
            message=request.POST.get("message", ""),
        )
    except (Conflict, InvalidRequest) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request, f"Asked to join {unit.name}: its managers will approve or decline it."
        )
    return redirect("catalog:unit_detail", slug=unit.slug)


@require_POST
def join_request_decide_view(request: HttpRequest, pk: int, verdict: str) -> HttpResponse:
    """A unit manager approves or declines an ask to join, from the unit page."""
    ask = get_object_or_404(JoinRequest.objects.select_related("user", "unit"), pk=pk)
    if verdict not in ("approve", "decline"):
        return redirect("catalog:unit_detail", slug=ask.unit.slug)
    try:
        join_request_decide(ask=ask, manager=request.user, approve=verdict == "approve")  # type: ignore[arg-type]
    except (PermissionDenied, Conflict) as problem:
        messages.error(request, str(problem))
    else:
        who = ask.user.get_full_name() or ask.user.get_username()
        done = "is now a member of" if verdict == "approve" else "was not let into"
        messages.success(request, f"{who} {done} {ask.unit.name}.")
    return redirect("catalog:unit_detail", slug=ask.unit.slug)

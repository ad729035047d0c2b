"""Requesting a model for a unit, the requester's list, one request, and withdrawing it."""

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from accounts.models import Membership, User
from accounts.signed_in import signed_in_user
from catalog.choices import PriceUnit
from catalog.forms import CACHE_PERCENT_FIELD, TOKEN_FIELDS, ApprovalRequestForm
from catalog.lifecycle import of_model
from catalog.models import Adoption, AIModel, ApprovalRequest
from catalog.services.approvals import approval_request_create, approval_request_withdraw
from core.errors import Conflict, InvalidRequest

# Service fields that are named differently on the form.
FORM_FIELD = {"unit": "business_unit", "model": None, "evidence": "eval_run"}


def _requests(user: User | AnonymousUser) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.visible_to(user).select_related(
        "model__vendor", "unit", "requester", "decided_by"
    )


def _replacing(request: HttpRequest) -> dict[str, object]:
    """`?replaces=<adoption id>` ("Request the successor" on the unit page): the form starts
    with that adoption's unit, use case and volumes, for a member of its unit only."""
    replaced = request.GET.get("replaces", "")
    adoption = (
        Adoption.objects.filter(pk=replaced, unit__memberships__user=request.user)  # type: ignore[misc]
        .select_related("unit", "model")
        .first()
        if replaced.isdigit() and len(replaced) < 10
        else None
    )
    if adoption is None:
        return {}
    return {
        "business_unit": adoption.unit.slug,
        "use_case": adoption.use_case,
        "expected_monthly_input_tokens": adoption.expected_monthly_input_tokens,
        "expected_monthly_output_tokens": adoption.expected_monthly_output_tokens,
        "expected_cache_share": adoption.expected_cache_share * 100,
        "justification": f"Replaces {adoption.model.name}, which is being retired.",
    }


def request_new(request: HttpRequest) -> HttpResponse:
    """The request form; htmx posts one field at a time (`_validate`) for inline errors."""
    slug = request.GET.get("model", "")
    models = AIModel.objects.select_related("vendor", "successor")
    model = models.filter(slug=slug).first() if slug else None
    if model is None:
        messages.info(request, "Pick a model in the catalog, then press “Request approval”.")
        return redirect("catalog:home")
    form = ApprovalRequestForm(
        request.POST if request.method == "POST" else None,
        user=signed_in_user(request),
        model=model,
        initial=_replacing(request),
    )
    if request.method == "POST" and request.POST.get("_validate"):
        return _field_errors(request, form)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = approval_request_create(
                requester=signed_in_user(request),
                model=model,
                unit=data["business_unit"],
                use_case=data["use_case"],
                justification=data["justification"],
                data_classification=data["data_classification"],
                expected_monthly_input_tokens=data["expected_monthly_input_tokens"],
                expected_monthly_output_tokens=data["expected_monthly_output_tokens"],
                expected_cache_share=data["expected_cache_share"],
                evidence=[data["eval_run"]] if data.get("eval_run") else [],
                limits=form.limits(),
            )
        except InvalidRequest as error:
            form.add_error(FORM_FIELD.get(error.field or "", error.field), str(error))
        except (Conflict, PermissionDenied) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Request submitted: the approvers have been notified.")
            return redirect("catalog:request_detail", pk=created.pk)
    if request.method == "POST":
        status = 400
    units = form.fields["business_unit"].queryset  # type: ignore[attr-defined]  # a ModelChoiceField
    context = {
        "form": form,
        "model": model,
        "has_units": units.exists(),
        "lifecycle": of_model(model),
        "cost": form.live_cost(),
        "priced": _per_token(model),
    }
    return render(request, "catalog/request_form.html", context, status=status)


def _field_errors(request: HttpRequest, form: ApprovalRequestForm) -> HttpResponse:
    """The error line of the field that just changed (empty when it is fine)."""
    name = request.htmx.trigger_name if request.htmx else None  # type: ignore[attr-defined]  # django-htmx
    if name not in form.fields:
        return HttpResponse(status=204)
    form.is_valid()
    response = render(
        request,
        "catalog/partials/field_error.html",
        {"name": name, "errors": form.errors.get(name, [])},
    )
    if name in (
        *TOKEN_FIELDS,
        CACHE_PERCENT_FIELD,
    ):  # the estimate follows the volumes as they are typed
        response.content += render_to_string(
            "catalog/partials/live_cost.html",
            {"cost": form.live_cost(), "priced": _per_token(form.model), "oob": True},
        ).encode()
        response.content += render_to_string(
            "catalog/partials/volume_hint.html", {"hint": form.volume_hint(), "oob": True}
        ).encode()
    return response


def _per_token(model: AIModel) -> bool:
    return model.price_unit == PriceUnit.PER_MTOK and model.is_priced


def request_list(request: HttpRequest) -> HttpResponse:
    """My requests, newest first; managers also see their units' requests."""
    user = signed_in_user(request)
    mine = _requests(user).filter(requester=user)
    managed = Membership.objects.filter(user=user, role=Membership.Role.MANAGER)
    units_requests = _requests(user).filter(unit__in=managed.values("unit")).exclude(requester=user)
    context = {"mine": mine, "units_requests": units_requests, "is_manager": managed.exists()}
    return render(request, "catalog/request_list.html", context)


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request as its requester, the unit's managers or the approvers see it."""
    approval = get_object_or_404(_requests(request.user).prefetch_related("evidence"), pk=pk)
    return render(request, "catalog/request_detail.html", {"approval": approval})


@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    approval = get_object_or_404(_requests(request.user), pk=pk)
    try:
        approval_request_withdraw(request=approval, user=signed_in_user(request))
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Request for {approval.model.name} withdrawn.")
    return redirect("catalog:request_list")

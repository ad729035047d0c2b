"""/status/: is everything up, what got cheaper or dearer, did the jobs run."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.signed_in import signed_in_user
from catalog.choices import AvailabilityStatus, ModelStatus
from catalog.models import AIModel, PriceObservation, Vendor
from catalog.services.vendor_jobs import vendor_job_enqueue
from core.choices import JobKind
from core.models import JobRun

RECENT = 15
IN_USE_STATUSES = [ModelStatus.APPROVED, ModelStatus.RESTRICTED, ModelStatus.DEPRECATED]


def _job_vendors() -> list[Vendor]:
    """Active vendors, those with models in use first (`in_use`): of ~150 imported vendors,
    the dozen the company uses are the ones a catalog admin checks."""
    return list(
        Vendor.objects.filter(is_active=True)
        .annotate(in_use=Count("ai_models", filter=Q(ai_models__status__in=IN_USE_STATUSES)))
        .only("slug", "name")
        .order_by("name")
    )


@require_POST
def run_job(request: HttpRequest) -> HttpResponse:
    """A catalog admin's "Sync prices now" / "Check availability now": the API's service,
    then back to the status page, where the run appears under "Recent job runs"."""
    if not signed_in_user(request).is_catalog_admin:
        raise PermissionDenied("Only catalog admins may start vendor jobs.")
    vendor = get_object_or_404(Vendor, slug=request.POST.get("vendor", ""))
    kind = request.POST.get("kind", "")
    if kind not in JobKind.values:
        messages.error(request, "Choose “Sync prices now” or “Check availability now”.")
        return redirect("catalog:status")
    vendor_job_enqueue(vendor=vendor, kind=kind, user=signed_in_user(request))
    # Said beside the form, not at the top the anchor scrolls away from; the picker keeps the
    # vendor (issue 28).
    query = urlencode({"vendor": vendor.slug, "started": kind})
    return redirect(f"{reverse('catalog:status')}?{query}#job-runs")


def status(request: HttpRequest) -> HttpResponse:
    """Availability per vendor, the models in trouble, recent price changes and job runs."""
    counts = {
        f"n_{s}": Count("ai_models", filter=Q(ai_models__availability_status=s))
        for s in AvailabilityStatus.values
    }
    vendors = (
        Vendor.objects.filter(ai_models__status__in=IN_USE_STATUSES)
        .annotate(**counts)
        .order_by("name")
    )
    troubled = (
        AIModel.objects.filter(
            status__in=IN_USE_STATUSES,
            availability_status__in=[AvailabilityStatus.DOWN, AvailabilityStatus.DEGRADED],
        )
        .select_related("vendor")
        .order_by("availability_status", "name")[:50]
    )
    earlier = PriceObservation.objects.filter(
        model=OuterRef("model"), observed_at__lt=OuterRef("observed_at")
    ).order_by("-observed_at", "-id")
    # A ledger row with an earlier one is a change; the first row of each model is its import.
    changes = (
        PriceObservation.objects.select_related("model")
        .filter(Exists(earlier))
        .annotate(
            previous_input=Subquery(earlier.values("input_price_per_mtok")[:1]),
            previous_output=Subquery(earlier.values("output_price_per_mtok")[:1]),
        )
        .order_by("-observed_at", "-id")[:RECENT]
    )
    job_vendors = list(_job_vendors()) if signed_in_user(request).is_catalog_admin else []
    context = {
        "vendors": vendors,
        "troubled": troubled,
        "price_changes": changes,
        "job_runs": JobRun.objects.select_related("vendor")[:RECENT],
        "job_vendors": job_vendors,
        "picked_vendor": request.GET.get("vendor", ""),
    }
    started = request.GET.get("started", "")
    if started in JobKind.values and context["picked_vendor"]:
        picked = next((v for v in job_vendors if v.slug == context["picked_vendor"]), None)
        if picked is not None:
            context["started"] = f"{JobKind(started).label} started for {picked.name}"
    return render(request, "catalog/status.html", context)

"""/status/: is everything up, what got cheaper or dearer, did the jobs run."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.choices import AvailabilityStatus, ModelStatus
from catalog.models import AIModel, JobRun, PriceObservation, Vendor

RECENT = 15
IN_USE_STATUSES = [ModelStatus.APPROVED, ModelStatus.RESTRICTED, ModelStatus.DEPRECATED]


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
    context = {
        "vendors": vendors,
        "troubled": troubled,
        "price_changes": changes,
        "job_runs": JobRun.objects.select_related("vendor")[:RECENT],
    }
    return render(request, "catalog/status.html", context)

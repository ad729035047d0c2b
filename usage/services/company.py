"""The company's month of AI spend for `/usage/`: top units, top models, what was found."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import BusinessUnit
from usage.choices import FindingKind, FindingStatus
from usage.models import UsageFinding, UsageRecord
from usage.services.reports import month_end

TOP = 10
ACTUAL = Sum(
    Coalesce("billed_cost", "list_cost"), output_field=DecimalField(max_digits=18, decimal_places=6)
)


@dataclass
class CompanyMonth:
    month: date
    total: Decimal
    units: Sequence[Mapping[str, object]]
    models: Sequence[Mapping[str, object]]
    unapproved: list[UsageFinding]  # open ones first, then the resolved (shown as such)
    mismatches: list[UsageFinding]

    @property
    def open_unapproved(self) -> int:
        return sum(1 for f in self.unapproved if f.status != FindingStatus.RESOLVED)

    @property
    def open_mismatches(self) -> int:
        return sum(1 for f in self.mismatches if f.status != FindingStatus.RESOLVED)


def company_month(units: QuerySet[BusinessUnit], month: date) -> CompanyMonth:
    """Five queries whatever the volume: units, models, total, and the two finding lists."""
    records = UsageRecord.objects.filter(unit__in=units, day__range=(month, month_end(month)))
    by_unit = list(
        records.values("unit__slug", "unit__name", "unit__cost_center", "unit__monthly_budget")
        .annotate(actual=ACTUAL, listed=Sum("list_cost"))
        .order_by("-actual", "unit__name")[:TOP]
    )
    by_model = list(
        records.values("vendor_model_id", "model__slug", "model__name")
        .annotate(
            actual=ACTUAL,
            tokens_in=Sum("input_tokens"),
            tokens_out=Sum("output_tokens"),
            request_count=Sum("requests"),
            # A source that counts no requests (Anthropic) makes the model's count unknown.
            uncounted=Count("pk", filter=Q(requests__isnull=True)),
        )
        .order_by("-actual", "vendor_model_id")[:TOP]
    )
    findings = UsageFinding.objects.filter(unit__in=units, month=month).select_related(
        "unit", "model", "acknowledged_by"
    )
    return CompanyMonth(
        month=month,
        total=records.aggregate(total=ACTUAL)["total"] or Decimal(0),
        units=by_unit,
        models=by_model,
        unapproved=list(
            findings.filter(kind=FindingKind.UNAPPROVED_USE).order_by("status", "-amount")
        ),
        mismatches=list(
            findings.filter(kind=FindingKind.BILL_MISMATCH).order_by("status", "amount")
        ),
    )

"""The company's month of AI spend for `/usage/`: top units, top models, what was found."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When

from accounts.models import BusinessUnit
from usage.choices import FindingKind, FindingStatus
from usage.filtersets import UsageFindingFilter
from usage.models import UsageFinding, UsageRecord
from usage.services.reports import actual_cost, cents, known_sum, month_cost, month_end

TOP = 10
# Per unit and reported model, as the unit's usage API groups a month (`unit_month`).
GROUPS = {
    "billed": Sum("billed_cost"),
    "listed": Sum("list_cost"),
    "unbilled": Count("pk", filter=Q(billed_cost__isnull=True)),
    "unpriced": Count("pk", filter=Q(list_cost__isnull=True)),
    "tokens_in": Sum("input_tokens"),
    "tokens_out": Sum("output_tokens"),
    "request_count": Sum("requests"),
    # A source that counts no requests (Anthropic) makes the model's count unknown.
    "uncounted": Count("pk", filter=Q(requests__isnull=True)),
}
UNIT_FIELDS = ("unit__slug", "unit__name", "unit__cost_center", "unit__monthly_budget")
MODEL_FIELDS = ("vendor_model_id", "model__slug", "model__name")


@dataclass
class FindingCounts:
    """The month's findings counted by status and by kind, whatever the filters: the page's
    facets, each a way to narrow the list."""

    by_status: dict[str, int]
    by_kind: dict[str, int]
    open_by_kind: dict[str, int]  # unresolved ones: what the headline figures count

    @classmethod
    def of(cls, findings: QuerySet[UsageFinding]) -> "FindingCounts":
        counts = cls(
            by_status=dict.fromkeys(FindingStatus.values, 0),
            by_kind=dict.fromkeys(FindingKind.values, 0),
            open_by_kind=dict.fromkeys(FindingKind.values, 0),
        )
        for row in findings.values("kind", "status").annotate(n=Count("pk")).order_by():
            counts.by_status[row["status"]] += row["n"]
            counts.by_kind[row["kind"]] += row["n"]
            if row["status"] != FindingStatus.RESOLVED:
                counts.open_by_kind[row["kind"]] += row["n"]
        return counts

    @property
    def status_facets(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_status[value]) for value, label in FindingStatus.choices]

    @property
    def kind_facets(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_kind[value]) for value, label in FindingKind.choices]


@dataclass
class CompanyMonth:
    month: date
    total: Decimal
    units: Sequence[Mapping[str, object]]
    models: Sequence[Mapping[str, object]]
    findings: list[UsageFinding]  # as filtered; unresolved first, the largest amounts first
    counts: FindingCounts

    @property
    def open_unapproved(self) -> int:
        return self.counts.open_by_kind[FindingKind.UNAPPROVED_USE]

    @property
    def open_mismatches(self) -> int:
        return self.counts.open_by_kind[FindingKind.BILL_MISMATCH]


def company_month(
    units: QuerySet[BusinessUnit], month: date, filters: Mapping[str, str] | None = None
) -> CompanyMonth:
    """Three queries whatever the volume: the month's sums per unit and reported model, the
    findings counted, and the findings `filters` (UsageFindingFilter's kind and status) keep. A
    unit's actual is its usage API's (`actual_cost` per reported model, added unrounded, rounded
    once); the company's total is the sum of its units' actuals."""
    groups = (
        UsageRecord.objects.filter(unit__in=units, day__range=(month, month_end(month)))
        .values("unit_id", *UNIT_FIELDS, "model_id", *MODEL_FIELDS)
        .annotate(**GROUPS)
        .order_by()
    )
    by_unit: dict[int, dict[str, Any]] = {}
    by_model: dict[tuple[object, ...], dict[str, Any]] = {}
    for group in groups:
        exact = actual_cost(
            month_cost(group["billed"], group["unbilled"]),
            month_cost(group["listed"], group["unpriced"]),
        )
        unit = by_unit.setdefault(
            group["unit_id"], {**{f: group[f] for f in UNIT_FIELDS}, "exact": []}
        )
        unit["exact"].append(exact)
        model = by_model.setdefault(
            tuple(group[f] for f in MODEL_FIELDS),
            {f: group[f] for f in MODEL_FIELDS}
            | {"exact": [], "tokens_in": 0, "tokens_out": 0, "request_count": 0, "uncounted": 0},
        )
        model["exact"].append(exact)
        for field in ("tokens_in", "tokens_out", "request_count", "uncounted"):
            model[field] += group[field] or 0
    for row in [*by_unit.values(), *by_model.values()]:
        row["actual"] = cents(known_sum(row.pop("exact")))
    total = sum((u["actual"] for u in by_unit.values() if u["actual"] is not None), Decimal(0))
    findings = UsageFinding.objects.filter(unit__in=units, month=month)
    shown = UsageFindingFilter(filters or {}, queryset=findings).qs
    return CompanyMonth(
        month=month,
        total=cents(total) or Decimal("0.00"),
        units=_top(by_unit.values(), "unit__name"),
        models=_top(by_model.values(), "vendor_model_id"),
        findings=list(
            shown.select_related("unit", "model", "acknowledged_by").order_by(
                Case(When(status=FindingStatus.RESOLVED, then=1), default=0),
                F("amount").desc(nulls_last=True),
                "kind",
                "id",
            )
        ),
        counts=FindingCounts.of(findings),
    )


def _top(rows: Iterable[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The `TOP` rows by actual (unknown last), then by name."""
    ranked = sorted(rows, key=lambda r: (r["actual"] is None, -(r["actual"] or 0), r[name] or ""))
    return ranked[:TOP]

"""Read-only figures for the API and pages: a unit's month by model, its months side by side,
the company chargeback. Each is a fixed number of aggregate queries, whatever the volume."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import BusinessUnit, Membership, User
from catalog.choices import AdoptionStatus
from catalog.models import Adoption, AIModel
from usage.models import UsageRecord

CENTS = Decimal("0.01")
SUMS = {
    "input_tokens": Sum("input_tokens"),
    "output_tokens": Sum("output_tokens"),
    "requests": Sum("requests"),
    "billed": Sum("billed_cost"),
    "listed": Sum("list_cost"),
    "unbilled": Count("pk", filter=Q(billed_cost__isnull=True)),
    "unpriced": Count("pk", filter=Q(list_cost__isnull=True)),
}


def units_visible_to(user: User) -> QuerySet[BusinessUnit]:
    """Members and managers see their units' usage; approvers and catalog admins see all."""
    if not user.is_authenticated:
        return BusinessUnit.objects.none()
    if user.is_approver or user.is_catalog_admin:
        return BusinessUnit.objects.all()
    return BusinessUnit.objects.filter(pk__in=Membership.objects.filter(user=user).values("unit"))


def recent_months(today: date, count: int) -> list[date]:
    """The first days of this month and the `count - 1` before it, newest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return months


def month_end(start: date) -> date:
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def cents(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(CENTS)


@dataclass
class ModelMonth:
    """One reported model's month for a unit; costs None when any day of it was unknown."""

    vendor_model_id: str
    model: AIModel | None
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    billed_cost: Decimal | None = None
    list_cost: Decimal | None = None
    forecast_cost: Decimal | None = None

    @property
    def actual(self) -> Decimal | None:
        return self.billed_cost if self.billed_cost is not None else self.list_cost

    @property
    def variance(self) -> Decimal | None:
        """Actual (billed, else list) minus forecast: what the month ran over (or under)."""
        if self.actual is None or self.forecast_cost is None:
            return None
        return self.actual - self.forecast_cost


def unit_month(unit: BusinessUnit, start: date) -> list[ModelMonth]:
    """The unit's month per reported model, plus adopted models it did not use. Three queries."""
    rows = (
        UsageRecord.objects.filter(unit=unit, day__range=(start, month_end(start)))
        .values("vendor_model_id", "model_id")
        .annotate(**SUMS)
        .order_by("vendor_model_id")
    )
    adoptions = {
        a.model_id: a
        for a in Adoption.objects.filter(unit=unit, status=AdoptionStatus.ACTIVE).select_related(
            "model__vendor"
        )
    }
    rows = list(rows)
    models = AIModel.objects.select_related("vendor").in_bulk(
        {r["model_id"] for r in rows if r["model_id"]} - set(adoptions)
    ) | {pk: a.model for pk, a in adoptions.items()}
    result, seen = [], set()
    for row in rows:
        adoption = adoptions.get(row["model_id"])
        seen.add(row["model_id"])
        result.append(
            ModelMonth(
                vendor_model_id=row["vendor_model_id"],
                model=models.get(row["model_id"]),
                input_tokens=row["input_tokens"],
                output_tokens=row["output_tokens"],
                requests=row["requests"],
                billed_cost=None if row["unbilled"] else cents(row["billed"]),
                list_cost=None if row["unpriced"] else cents(row["listed"]),
                forecast_cost=adoption.estimated_monthly_cost if adoption else None,
            )
        )
    for model_id, adoption in adoptions.items():
        if model_id not in seen:
            result.append(
                ModelMonth(
                    vendor_model_id=adoption.model.vendor_model_id,
                    model=adoption.model,
                    billed_cost=Decimal("0.00"),
                    list_cost=Decimal("0.00"),
                    forecast_cost=adoption.estimated_monthly_cost,
                )
            )
    return result


def totals(rows: list[ModelMonth]) -> dict[str, Decimal | None | int]:
    """Sums of what is known; `unpriced` counts the models whose list cost is unknown."""

    def total(values: list[Decimal | None]) -> Decimal | None:
        known = [v for v in values if v is not None]
        return sum(known, Decimal("0.00")) if known else None

    return {
        "billed_cost": total([r.billed_cost for r in rows]),
        "list_cost": total([r.list_cost for r in rows]),
        "forecast_cost": total([r.forecast_cost for r in rows]),
        "unpriced": sum(1 for r in rows if r.list_cost is None),
    }


@dataclass
class MonthFigures:
    month: date
    actual: Decimal
    list_cost: Decimal
    forecast: Decimal
    budget: Decimal | None


def unit_months(unit: BusinessUnit, months: list[date], forecast: Decimal) -> list[MonthFigures]:
    """Actual (billed, else list) per month next to today's forecast and the budget. One query."""
    first, last = min(months), month_end(max(months))
    by_month: dict[date, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = UsageRecord.objects.filter(unit=unit, day__range=(first, last)).values_list(
        "day", "billed_cost", "list_cost"
    )
    for day, billed, listed in rows.iterator(chunk_size=5000):
        figures = by_month[day.replace(day=1)]
        figures[0] += billed if billed is not None else (listed or 0)
        figures[1] += listed or 0
    return [
        MonthFigures(
            month=m,
            actual=cents(by_month[m][0]) or Decimal("0.00"),
            list_cost=cents(by_month[m][1]) or Decimal("0.00"),
            forecast=forecast,
            budget=unit.monthly_budget,
        )
        for m in months
    ]


def chargeback(units: QuerySet[BusinessUnit], start: date) -> list[dict[str, object]]:
    """Per cost center, unit and model: tokens, billed and list cost for the month. Two queries."""
    rows = (
        UsageRecord.objects.filter(unit__in=units, day__range=(start, month_end(start)))
        .values(
            "unit__cost_center", "unit__slug", "unit__name", "vendor_model_id", "model__slug",
            "model__vendor__slug", "source__name",
        )
        .annotate(**SUMS)
        .order_by("unit__cost_center", "unit__slug", "vendor_model_id")
    )  # fmt: skip
    return [
        {
            "cost_center": r["unit__cost_center"],
            "business_unit": r["unit__slug"],
            "vendor": r["model__vendor__slug"] or r["source__name"],
            "model": r["model__slug"],
            "vendor_model_id": r["vendor_model_id"],
            "input_tokens": r["input_tokens"],
            "output_tokens": r["output_tokens"],
            "billed_cost": None if r["unbilled"] else cents(r["billed"]),
            "list_cost": None if r["unpriced"] else cents(r["listed"]),
        }
        for r in rows
    ]

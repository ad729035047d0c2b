"""A unit's monthly cost forecast against its budget, and telling managers when it goes over.

The forecast is the allow-list's expected tokens × the models' current prices. Crossing the
budget is remembered on the unit (`over_budget_since`), so a repeated check notifies once.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import BusinessUnit, User
from catalog.models import Adoption
from core.notify import notify


@dataclass(frozen=True)
class Forecast:
    total: Decimal
    budget: Decimal | None
    unpriced_adoptions: int

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total > self.budget

    @property
    def budget_used_percent(self) -> int | None:
        if not self.budget:
            return None
        return int(self.total * 100 / self.budget)


def unit_forecast(unit: BusinessUnit, adoptions: Iterable[Adoption] | None = None) -> Forecast:
    """Sum of the estimated monthly costs of what the unit may call now (its allow-list); an
    adoption whose cost is unknown is counted apart, never as $0."""
    if adoptions is None:
        adoptions = Adoption.objects.callable_now().filter(unit=unit).select_related("model")
    total, unpriced = Decimal("0.00"), 0
    for adoption in adoptions:
        cost = adoption.estimated_monthly_cost
        if cost is None:
            unpriced += 1
        else:
            total += cost
    return Forecast(total=total, budget=unit.monthly_budget, unpriced_adoptions=unpriced)


def units_check_budget(*, unit_ids: Iterable[int], reason: str) -> list[BusinessUnit]:
    """Notify the managers of units whose forecast just went over budget; returns those units."""
    crossed = []
    with transaction.atomic():
        units = BusinessUnit.objects.select_for_update().filter(
            pk__in=set(unit_ids), monthly_budget__isnull=False
        )
        for unit in units:
            forecast = unit_forecast(unit)
            if forecast.over_budget and unit.over_budget_since is None:
                unit.over_budget_since = timezone.now()
                unit.save(update_fields=["over_budget_since"])
                _tell_managers(unit, forecast, reason)
                crossed.append(unit)
            elif not forecast.over_budget and unit.over_budget_since is not None:
                unit.over_budget_since = None
                unit.save(update_fields=["over_budget_since"])
    return crossed


def _tell_managers(unit: BusinessUnit, forecast: Forecast, reason: str) -> None:
    managers = User.objects.managers_of([unit.pk])
    notify(
        recipients=managers,
        subject=f"{unit.name} is forecast over its monthly AI budget",
        body=(
            f"{reason}\n\nForecast: ${forecast.total:,} per month against a budget of "
            f"${forecast.budget:,} ({forecast.budget_used_percent}% used)."
            + _unpriced_note(forecast)
        ),
    )


def _unpriced_note(forecast: Forecast) -> str:
    """An unknown cost is not $0: the reader learns the forecast is a lower bound."""
    if not forecast.unpriced_adoptions:
        return ""
    return (
        f" {forecast.unpriced_adoptions} adoption(s) could not be priced and are not included: "
        "the forecast is a lower bound."
    )

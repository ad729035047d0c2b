"""An adoption's limits as a value: what a request asks, an approver sets and a gateway
enforces; checked once here for every path (API, pages, services)."""

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from catalog.models.adoptions import MAX_LIMIT
from core.errors import InvalidRequest

BUDGET_MAX = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Limits:
    """Limits to set; None clears one (no limit)."""

    tpm_limit: int | None = None
    rpm_limit: int | None = None
    monthly_budget: Decimal | None = None

    def check(self) -> "Limits":
        """Refuse values the database or a gateway could not hold, naming the field."""
        for name in ("tpm_limit", "rpm_limit"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= MAX_LIMIT:
                raise InvalidRequest(f"Must be between 1 and {MAX_LIMIT}.", field=name)
        budget = self.monthly_budget
        if budget is not None and (
            not budget.is_finite() or not 0 <= budget <= BUDGET_MAX or budget != round(budget, 2)
        ):
            raise InvalidRequest(
                f"A USD amount between 0 and {BUDGET_MAX}, in cents at most.",
                field="monthly_budget",
            )
        return self

    def as_fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


LIMIT_FIELDS = tuple(f.name for f in fields(Limits))

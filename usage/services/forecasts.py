"""A month's forecast as it stood: the adoptions in force on each of its days, at that day's
prices, each day a 1/days-in-month share of the adoption's monthly cost (`forecast_cost`, its
expected cache share at the cache-read rate, as the request and the adoption forecast it).

Approving, revoking or repricing today changes today onwards only, so a past month keeps the
forecast it had, and the current month's is its past days as they were plus the rest at
today's state. An adoption's forecast is counted once, whatever names its usage came under.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from catalog.choices import AdoptionStatus
from catalog.models import Adoption
from catalog.models.costs import CENTS, PriceComponents, forecast_cost
from usage.services.pricing import PriceLedger

# The statuses of adoptions that covered days: a revoked one covered those before its revoking.
COVERING = [AdoptionStatus.ACTIVE, AdoptionStatus.EXPIRED, AdoptionStatus.REVOKED]


@dataclass(frozen=True)
class AdoptionSpan:
    """The days an adoption covered, [`start`, `until`), what it expects a month (the input,
    `cache_share` of it read from the cache, the output), and the model's price now (for days
    its ledger does not reach: a model never repriced)."""

    model_id: int
    start: date
    until: date
    expected_input: int
    expected_output: int
    cache_share: Decimal
    current: PriceComponents

    @classmethod
    def of(
        cls,
        *,
        model_id: int,
        approved_at: datetime,
        expires_at: datetime,
        revoked_at: datetime | None,
        expected_input: int,
        expected_output: int,
        cache_share: Decimal,
        current: PriceComponents,
    ) -> "AdoptionSpan":
        ends = [expires_at.date()] + ([revoked_at.date()] if revoked_at else [])
        return cls(
            model_id=model_id,
            start=approved_at.date(),
            until=min(ends),
            expected_input=expected_input,
            expected_output=expected_output,
            cache_share=cache_share,
            current=current,
        )


def covering(adoptions: QuerySet[Adoption], first: date, last: date) -> QuerySet[Adoption]:
    """The adoptions that may have covered a day from `first` to `last`."""
    return adoptions.filter(
        status__in=COVERING,
        approved_at__date__lte=last,
        expires_at__date__gt=first,
    )


def month_forecast(
    spans: Iterable[AdoptionSpan], ledger: PriceLedger, start: date, end: date
) -> dict[int, Decimal | None]:
    """Model id → the month's forecast, in cents (rounded once); None when a day of it needed
    a price that is unknown. Only models with a covered day of the month appear."""
    days_in_month = Decimal(end.day)
    exact: dict[int, Decimal | None] = defaultdict(Decimal)
    for span in spans:
        day, stop = max(start, span.start), min(end + timedelta(days=1), span.until)
        if day >= stop:
            continue
        for prices, days in ledger.periods(span.model_id, day, stop):
            cost = forecast_cost(
                prices or span.current, span.expected_input, span.expected_output, span.cache_share
            )
            total = exact[span.model_id]
            exact[span.model_id] = None if cost is None or total is None else total + cost * days
    return {
        model_id: None if total is None else (total / days_in_month).quantize(CENTS)
        for model_id, total in exact.items()
    }

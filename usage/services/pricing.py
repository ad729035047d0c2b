"""List cost from the price ledger in force.

The price in force on a day is the latest PriceObservation observed on or before that day (UTC),
exactly as `/api/v1/models/{slug}/prices/?at=` answers; none means unpriced, never $0.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from catalog.models import PriceObservation
from catalog.models.costs import PriceComponents, TokenCounts, component_columns, token_cost

SIX_PLACES = Decimal("0.000001")


class PriceLedger:
    """Each model's price history, loaded once, answering "what did it cost on day D"."""

    def __init__(self, rows: Iterable[tuple[int, date, PriceComponents]]) -> None:
        """`rows`: (model id, day observed, components), in the order they were observed."""
        self.days: dict[int, list[date]] = defaultdict(list)
        self.prices: dict[int, list[PriceComponents]] = defaultdict(list)
        for model_id, day, components in rows:
            days, prices = self.days[model_id], self.prices[model_id]
            if days and days[-1] == day:  # the last change of a day is the one in force
                prices[-1] = components
            else:
                days.append(day)
                prices.append(components)

    @classmethod
    def for_models(cls, model_ids: Iterable[int]) -> "PriceLedger":
        """The ledgers of these models, in one query."""
        rows = (
            PriceObservation.objects.filter(model_id__in=set(model_ids))
            .order_by("model_id", "observed_at", "id")
            .values("model_id", "observed_at__date", *component_columns())
        )
        return cls(
            (row["model_id"], row["observed_at__date"], PriceComponents.from_row(row))
            for row in rows
        )

    def in_force(self, model_id: int, day: date) -> PriceComponents | None:
        at = bisect.bisect_right(self.days[model_id], day) - 1
        return None if at < 0 else self.prices[model_id][at]

    def periods(
        self, model_id: int, start: date, stop: date
    ) -> Iterator[tuple[PriceComponents | None, int]]:
        """The prices in force from `start` up to `stop` (excluded), each with its number of
        days: a month's forecast prices its changes, not each of its days."""
        days, prices = self.days[model_id], self.prices[model_id]
        at = bisect.bisect_right(days, start) - 1
        day = start
        while day < stop:
            until = min(days[at + 1], stop) if at + 1 < len(days) else stop
            yield (prices[at] if at >= 0 else None), (until - day).days
            day, at = until, at + 1

    def list_cost(
        self, model_id: int | None, day: date, parts: Iterable[TokenCounts]
    ) -> Decimal | None:
        """The parts (each with its tier) at the rates in force that day, to the column's six
        places; None when any needed rate is unknown or the model is not priced per token."""
        prices = None if model_id is None else self.in_force(model_id, day)
        if prices is None:
            return None
        total = Decimal(0)
        for tokens in parts:
            cost = token_cost(prices, tokens)
            if cost is None:
                return None
            total += cost
        return total.quantize(SIX_PLACES)

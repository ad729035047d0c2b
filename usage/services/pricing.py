"""Reported model names matched to the catalog, and list cost from the price ledger in force.

The price in force on a day is the latest PriceObservation observed on or before that day (UTC),
exactly as `/api/v1/models/{slug}/prices/?at=` answers; none means unpriced, never $0.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from catalog.choices import PriceUnit
from catalog.models import AIModel, PriceObservation
from usage.choices import SourceKind

MILLION = Decimal(1_000_000)
SIX_PLACES = Decimal("0.000001")
PREFERRED_VENDOR: dict[str, str] = {SourceKind.OPENAI: "openai", SourceKind.ANTHROPIC: "anthropic"}


class ModelMatcher:
    """A source's model names → catalog model ids: the vendor's own id first (the source's
    vendor preferred), then the price-source key (LiteLLM's `provider/model`), then the slug."""

    def __init__(self, kind: str) -> None:
        self.vendor = PREFERRED_VENDOR.get(kind, "")
        self.by_vendor_id: dict[tuple[str, str], int] = {}
        self.by_id: dict[str, int] = {}
        self.by_key: dict[str, int] = {}
        rows = AIModel.objects.values_list(
            "pk", "vendor__slug", "vendor_model_id", "price_source_key", "slug"
        ).order_by("pk")
        for pk, vendor, vendor_model_id, key, slug in rows:
            self.by_vendor_id.setdefault((vendor, vendor_model_id), pk)
            self.by_id.setdefault(vendor_model_id, pk)
            self.by_key.setdefault(key, pk)
            self.by_key.setdefault(slug, pk)
        self.cache: dict[str, int | None] = {}

    def match(self, name: str) -> int | None:
        if name not in self.cache:
            self.cache[name] = self._find(name)
        return self.cache[name]

    def _find(self, name: str) -> int | None:
        if found := self.by_vendor_id.get((self.vendor, name)):
            return found
        if found := self.by_key.get(name):
            return found
        provider, _, rest = name.partition("/")
        if rest and (found := self.by_vendor_id.get((provider, rest))):
            return found
        return self.by_id.get(name)


class PriceLedger:
    """Each model's price history, loaded once, answering "what did it cost on day D"."""

    def __init__(self, model_ids: Iterable[int]) -> None:
        self.days: dict[int, list[date]] = defaultdict(list)
        self.prices: dict[int, list[tuple[Decimal | None, Decimal | None, str]]] = defaultdict(list)
        rows = (
            PriceObservation.objects.filter(model_id__in=set(model_ids))
            .order_by("model_id", "observed_at", "id")
            .values_list(
                "model_id",
                "observed_at__date",
                "input_price_per_mtok",
                "output_price_per_mtok",
                "price_unit",
            )
        )
        for model_id, day, input_price, output_price, unit in rows:
            days, prices = self.days[model_id], self.prices[model_id]
            if days and days[-1] == day:  # the last change of a day is the one in force
                prices[-1] = (input_price, output_price, unit)
            else:
                days.append(day)
                prices.append((input_price, output_price, unit))

    def list_cost(
        self, model_id: int | None, day: date, input_tokens: int, output_tokens: int
    ) -> Decimal | None:
        """Tokens × the per-token prices in force that day; None when any needed price is
        unknown or the model is not priced per token."""
        if model_id is None:
            return None
        at = bisect.bisect_right(self.days[model_id], day) - 1
        if at < 0:
            return None
        input_price, output_price, unit = self.prices[model_id][at]
        if unit != PriceUnit.PER_MTOK:
            return None
        if (input_tokens and input_price is None) or (output_tokens and output_price is None):
            return None
        cost = (input_price or 0) * input_tokens / MILLION + (
            output_price or 0
        ) * output_tokens / MILLION
        return Decimal(cost).quantize(SIX_PLACES)

"""A model's price components and the one formula that turns token counts into dollars.

Every cost in Modelshelf (an adoption's forecast, a usage record's list cost, a recommendation)
comes from `token_cost`, so a cache read is priced at the cache-read rate everywhere and a cost
is rounded once, by whoever shows or stores it, never on the way.
"""

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any, Self

from catalog.choices import PriceUnit

MILLION = Decimal(1_000_000)
SIX_PLACES = Decimal("0.000001")
CENTS = Decimal("0.01")

# Model (and ledger) field of each component, in the order the API lists them.
COMPONENT_FIELDS = {
    "input": "input_price_per_mtok",
    "output": "output_price_per_mtok",
    "cache_read": "cache_read_price_per_mtok",
    "cache_write": "cache_write_price_per_mtok",
    "long_context_threshold": "long_context_threshold",
    "long_context_input": "long_context_input_price_per_mtok",
    "long_context_output": "long_context_output_price_per_mtok",
    "unit": "price_unit",
}
# The components beyond the headline input/output price, as model field names.
EXTRA_PRICE_FIELDS = (
    "cache_read_price_per_mtok",
    "cache_write_price_per_mtok",
    "long_context_threshold",
    "long_context_input_price_per_mtok",
    "long_context_output_price_per_mtok",
)


@dataclass(frozen=True, slots=True)
class PriceComponents:
    """What a model costs, part by part: None is unknown, never free. Compared as a whole, so
    a change to any component is a price change (one ledger entry holds them all)."""

    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    long_context_threshold: int | None = None
    long_context_input: Decimal | None = None
    long_context_output: Decimal | None = None
    unit: str = PriceUnit.PER_MTOK

    @classmethod
    def of(cls, obj: Any) -> Self:
        """The components of an AIModel, a PriceObservation or anything with their fields."""
        return cls(**{name: getattr(obj, column) for name, column in COMPONENT_FIELDS.items()})

    @classmethod
    def from_row(cls, row: dict[str, Any], prefix: str = "") -> Self:
        """The components of a `.values()` row read with `component_columns(prefix)`."""
        return cls(**{name: row[prefix + col] for name, col in COMPONENT_FIELDS.items()})

    def as_fields(self) -> dict[str, Any]:
        """Model (or ledger) field name → value, to set or to create with."""
        return {column: getattr(self, name) for name, column in COMPONENT_FIELDS.items()}

    @property
    def priced(self) -> bool:
        return self.input is not None or self.output is not None

    def prices(self) -> list[Decimal]:
        """Every known per-unit price, the threshold left out: what bounds are checked on."""
        return [
            value
            for f in fields(self)
            if f.name not in ("unit", "long_context_threshold")
            and (value := getattr(self, f.name)) is not None
        ]


def component_columns(prefix: str = "") -> list[str]:
    """The `.values()` columns `PriceComponents.from_row` reads, under a relation prefix."""
    return [prefix + column for column in COMPONENT_FIELDS.values()]


@dataclass(frozen=True, slots=True)
class TokenCounts:
    """Tokens of one use, part by part: `input` is uncached input only. `long_context` says the
    source reported the requests above the model's long-context threshold."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    long_context: bool = False


def forecast_tokens(input_tokens: int, output_tokens: int, cache_share: Decimal) -> TokenCounts:
    """A month's expected volumes with `cache_share` (0..1) of the input read from the cache:
    the cache reads rounded to whole tokens, the rest uncached input."""
    cache_read = int((input_tokens * cache_share).to_integral_value()) if cache_share else 0
    cache_read = max(0, min(cache_read, input_tokens))
    return TokenCounts(input=input_tokens - cache_read, output=output_tokens, cache_read=cache_read)


def forecast_cost(
    prices: PriceComponents, input_tokens: int, output_tokens: int, cache_share: Decimal
) -> Decimal | None:
    """A month's expected USD at these prices, unrounded: `cache_share` of the input at the
    cache-read rate, or at the input rate where that rate is unknown (a forecast assumes no
    discount it cannot price), so a share of 0 costs what it did before cache shares. Every
    forecast (requests, adoptions, the recommender, the usage months) comes from here."""
    if prices.cache_read is None:
        prices = replace(prices, cache_read=prices.input)
    return token_cost(prices, forecast_tokens(input_tokens, output_tokens, cache_share))


def token_cost(prices: PriceComponents, tokens: TokenCounts) -> Decimal | None:
    """USD for the tokens, each part at its own rate, unrounded (round once, where shown or
    stored). None when the model is not priced per token or a rate that a non-zero part needs
    is unknown: cache reads are never priced as input, an unknown rate is never $0."""
    if prices.unit != PriceUnit.PER_MTOK or (prices.input is None and prices.output is None):
        return None
    input_rate, output_rate = prices.input, prices.output
    if tokens.long_context:
        input_rate, output_rate = prices.long_context_input, prices.long_context_output
    # Part by part, written out: an ingest prices a million keys with it.
    cost = Decimal(0)
    if tokens.input:
        if input_rate is None:
            return None
        cost += input_rate * tokens.input
    if tokens.output:
        if output_rate is None:
            return None
        cost += output_rate * tokens.output
    if tokens.cache_read:
        if prices.cache_read is None:
            return None
        cost += prices.cache_read * tokens.cache_read
    if tokens.cache_write:
        if prices.cache_write is None:
            return None
        cost += prices.cache_write * tokens.cache_write
    return cost / MILLION

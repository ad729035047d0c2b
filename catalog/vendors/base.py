"""What every vendor adapter of the catalog returns: model lists and price quotes, each with
the problems of the items that could not be read. The HTTP calls are core's (`core.http`)."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from core.http import show

if TYPE_CHECKING:
    from catalog.models.costs import PriceComponents


class PriceQuote(NamedTuple):
    """A price source's word on one model, or the reason it cannot be trusted (`problem`).
    A tuple: a sync builds one per entry of a map of thousands."""

    key: str
    input_price: Decimal | None = None
    output_price: Decimal | None = None
    price_unit: str = "per_mtok"
    deprecation_date: Any = None
    problem: str = ""
    raw_input: str = ""
    raw_output: str = ""
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    long_context_threshold: int | None = None
    long_context_input: Decimal | None = None
    long_context_output: Decimal | None = None

    @property
    def components(self) -> "PriceComponents":
        """Every component the source quoted; the ones it did not are unknown."""
        # Imported here: the fake vendor parses cost maps without Django's apps loaded, and
        # importing catalog.models loads them.
        from catalog.models.costs import PriceComponents

        return PriceComponents(
            input=self.input_price,
            output=self.output_price,
            cache_read=self.cache_read,
            cache_write=self.cache_write,
            long_context_threshold=self.long_context_threshold,
            long_context_input=self.long_context_input,
            long_context_output=self.long_context_output,
            unit=self.price_unit,
        )


class ModelList(NamedTuple):
    """The ids a vendor lists, the list call's latency, and one problem per unreadable item."""

    ids: set[str]
    latency_ms: int
    problems: list[str]


class PriceList(NamedTuple):
    """A price source's quotes by key, and the problems of items that have no usable key."""

    quotes: dict[str, PriceQuote]
    problems: list[str]


def listed_ids(items: list[Any], where: str) -> tuple[set[str], list[str]]:
    """The string ids of a list's items; any other item is a problem, not an error."""
    ids: set[str] = set()
    problems: list[str] = []
    for index, item in enumerate(items):
        model_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(model_id, str) and model_id:
            ids.add(model_id)
        else:
            problems.append(f"{where} item {index}: no string id in {show(item)}")
    return ids, problems

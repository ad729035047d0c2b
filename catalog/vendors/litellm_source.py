"""LiteLLM's cost map fetched by URL for `sync_prices`, read with import's price parser.

One bad entry must not hide the rest: each entry is parsed on its own and a malformed one
becomes a quote with a `problem`, flagged rather than applied.
"""

from collections.abc import Mapping

from catalog.vendors.base import PriceQuote, VendorAdapter, shape_error
from catalog.vendors.litellm import NOT_MODELS, CostMapError, entry_prices


def _raw(data: Mapping[str, object], name: str) -> str:
    return str(data.get(name, ""))[:100]


def quotes_from_cost_map(raw: object) -> dict[str, PriceQuote]:
    """Every model of the map as a quote keyed by its cost-map key (aliases resolved)."""
    if not isinstance(raw, Mapping):
        raise shape_error("cost map", "not a JSON object keyed by model name")
    quotes = {}
    for key, data in raw.items():
        if key in NOT_MODELS or not isinstance(data, Mapping):
            continue
        target = data.get("alias_of")
        resolved = raw.get(target) if isinstance(target, str) else data
        if not isinstance(resolved, Mapping):
            continue
        raw_in, raw_out = (
            _raw(resolved, "input_cost_per_token"),
            _raw(resolved, "output_cost_per_token"),
        )
        try:
            input_price, output_price, unit, deprecation = entry_prices(key, resolved)
        except CostMapError as exc:
            quotes[key] = PriceQuote(
                key=key, problem=str(exc)[:200], raw_input=raw_in, raw_output=raw_out
            )
            continue
        quotes[key] = PriceQuote(
            key=key,
            input_price=input_price,
            output_price=output_price,
            price_unit=unit,
            deprecation_date=deprecation,
            raw_input=raw_in,
            raw_output=raw_out,
        )
    return quotes


class LiteLLMCostMapAdapter(VendorAdapter):
    """`base_url` is the cost map's full URL."""

    def price_quotes(self) -> dict[str, PriceQuote]:
        body, _ = self.get_json(self.base_url)
        return quotes_from_cost_map(body)

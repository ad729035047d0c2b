"""LiteLLM's cost map fetched by URL for `sync_prices`, read with import's price parser.

One bad entry must not hide the rest: each entry is parsed on its own and a malformed one
becomes a quote with a `problem`, flagged rather than applied.
"""

from collections.abc import Mapping

from catalog.choices import PriceUnit
from catalog.vendors.base import PriceList, PriceQuote
from catalog.vendors.litellm import NOT_MODELS, UNIT_PRICES, CostMapError, entry_prices
from core.http import VendorAdapter, shape_error, show

FIELDS: dict[str, tuple[str, str | None]] = {
    PriceUnit.PER_MTOK: ("input_cost_per_token", "output_cost_per_token")
} | {unit: (inp, out) for unit, inp, out in UNIT_PRICES}


def _raw(data: Mapping[str, object], unit: str | None) -> tuple[str, str]:
    """The source's own words for the prices in `unit` (or the first unit it gives at all)."""
    if unit is None:
        given = [u for u, names in FIELDS.items() if any(n in data for n in names)]
        unit = given[0] if given else PriceUnit.PER_MTOK
    in_name, out_name = FIELDS[unit]
    return _word(data, in_name), _word(data, out_name)


def _word(data: Mapping[str, object], name: str | None) -> str:
    value = data.get(name) if name else None
    if value is None:
        return ""
    return (value if isinstance(value, str) else show(value))[:100]


def quotes_from_cost_map(raw: object) -> dict[str, PriceQuote]:
    """Every model of the map as a quote keyed by its cost-map key (aliases resolved); an
    entry that cannot be read is a quote with its `problem`."""
    if not isinstance(raw, Mapping):
        raise shape_error("cost map", "not a JSON object keyed by model name")
    quotes = {}
    for key, data in raw.items():
        if key in NOT_MODELS:
            continue
        target = data.get("alias_of") if isinstance(data, Mapping) else None
        resolved = raw.get(target) if isinstance(target, str) else data
        if not isinstance(resolved, Mapping):
            quotes[key] = PriceQuote(key=key, problem=f"not a JSON object: {show(resolved)}")
            continue
        try:
            input_price, output_price, unit, deprecation, extras = entry_prices(key, resolved)
        except CostMapError as exc:
            raw_in, raw_out = _raw(resolved, None)
            quotes[key] = PriceQuote(
                key=key, problem=str(exc)[:200], raw_input=raw_in, raw_output=raw_out
            )
            continue
        raw_in, raw_out = _raw(resolved, unit)
        quotes[key] = PriceQuote(
            key=key,
            input_price=input_price,
            output_price=output_price,
            price_unit=unit,
            deprecation_date=deprecation,
            raw_input=raw_in,
            raw_output=raw_out,
            **extras,
        )
    return quotes


class LiteLLMCostMapAdapter(VendorAdapter):
    """`base_url` is the cost map's full URL."""

    def price_quotes(self) -> PriceList:
        body, _ = self.get_json(self.base_url)
        return PriceList(quotes_from_cost_map(body), [])

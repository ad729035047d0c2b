"""OpenRouter format: `GET {api_base_url}/models` lists models with USD-per-token price strings;
`GET {api_base_url}/models/{id}/endpoints` tells which providers serve one model, with uptime."""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote as quote_path

from catalog.choices import AvailabilityStatus
from catalog.vendors.base import ModelList, PriceList, PriceQuote, listed_ids
from catalog.vendors.litellm import MILLION, CostMapError, to_decimal
from core.http import VendorAdapter, shape_error, show

DEGRADED_BELOW_UPTIME = 95.0  # % over the last 30 minutes at the best provider


@dataclass(frozen=True)
class EndpointHealth:
    status: str
    latency_ms: int
    detail: str


def _price(key: str, name: str, pricing: dict[str, object]) -> Decimal:
    """Absent price keys mean zero in OpenRouter's format."""
    return to_decimal(key, name, pricing.get(name, "0"), MILLION)


def _word(value: object) -> str:
    return (value if isinstance(value, str) else show(value))[:100]


def quote(item: dict[str, object]) -> PriceQuote | None:
    """One listed model's price per 1M tokens, or a quote naming why it is junk; None when
    the item has no string id to key it by."""
    key = item.get("id")
    if not isinstance(key, str) or not key:
        return None
    pricing = item.get("pricing")
    expiry = item.get("expiration_date")
    try:
        deprecation = date.fromisoformat(expiry[:10]) if isinstance(expiry, str) else None
    except ValueError:
        deprecation = None
    if not isinstance(pricing, dict):  # an empty one is free: zero prices are left out
        return PriceQuote(key=key, problem="missing price fields", raw_input=_word(pricing))
    raw_in, raw_out = _word(pricing.get("prompt", "")), _word(pricing.get("completion", ""))
    try:
        inp, out = _price(key, "prompt", pricing), _price(key, "completion", pricing)
        # Unlike prompt and completion, an absent cache price is unknown, not free.
        cache_read, cache_write = (
            None if (value := pricing.get(name)) is None else to_decimal(key, name, value, MILLION)
            for name in ("input_cache_read", "input_cache_write")
        )
    except CostMapError as exc:
        return PriceQuote(key=key, problem=str(exc)[:200], raw_input=raw_in, raw_output=raw_out)
    return PriceQuote(
        key=key,
        input_price=inp,
        output_price=out,
        deprecation_date=deprecation,
        raw_input=raw_in,
        raw_output=raw_out,
        cache_read=cache_read,
        cache_write=cache_write,
    )


def parse_models(body: Any, url: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The listed models with a string id, and one problem per other item."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise shape_error(url, "no data list")
    ids, problems = listed_ids(data, "model list")
    models = [m for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)]
    return [m for m in models if m["id"] in ids], problems


def parse_endpoints(body: Any, url: str, latency_ms: int) -> EndpointHealth:
    """Up when a provider serves it well, degraded on poor uptime, down when none serves it."""
    data = body.get("data") if isinstance(body, dict) else None
    endpoints = data.get("endpoints") if isinstance(data, dict) else None
    if not isinstance(endpoints, list):
        raise shape_error(url, "no endpoints list")
    serving = [e for e in endpoints if isinstance(e, dict) and _number(e.get("status", 0)) == 0]
    if not serving:
        return EndpointHealth(AvailabilityStatus.DOWN, latency_ms, "no provider serves it")
    uptimes = [_number(e.get("uptime_last_30m")) for e in serving]
    best = max((u for u in uptimes if u is not None and 0 <= u <= 100), default=100.0)
    if best < DEGRADED_BELOW_UPTIME:
        return EndpointHealth(
            AvailabilityStatus.DEGRADED, latency_ms, f"best provider uptime {best:.1f}%"
        )
    return EndpointHealth(AvailabilityStatus.UP, latency_ms, f"{len(serving)} provider(s)")


def _number(value: object) -> float | None:
    """A finite JSON number as a float, else None (a 400-digit integer is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


class OpenRouterAdapter(VendorAdapter):
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def list_model_ids(self) -> ModelList:
        url = f"{self.base_url}/models"
        body, latency_ms = self.get_json(url)
        models, problems = parse_models(body, url)
        return ModelList({m["id"] for m in models}, latency_ms, problems)

    def price_quotes(self) -> PriceList:
        url = f"{self.base_url}/models"
        body, _ = self.get_json(url)
        models, problems = parse_models(body, url)
        quotes = (quote(item) for item in models)
        return PriceList({q.key: q for q in quotes if q is not None}, problems)

    def endpoint_health(self, model_id: str) -> EndpointHealth:
        """One model's providers; see parse_endpoints."""
        url = f"{self.base_url}/models/{quote_path(model_id, safe='/:')}/endpoints"
        body, latency_ms = self.get_json(url)
        return parse_endpoints(body, url, latency_ms)

"""OpenRouter format: `GET {api_base_url}/models` lists models with USD-per-token price strings;
`GET {api_base_url}/models/{id}/endpoints` tells which providers serve one model, with uptime."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalog.choices import AvailabilityStatus
from catalog.vendors.base import PriceQuote, VendorAdapter, shape_error
from catalog.vendors.litellm import MILLION, CostMapError, to_decimal

DEGRADED_BELOW_UPTIME = 95.0  # % over the last 30 minutes at the best provider


@dataclass(frozen=True)
class EndpointHealth:
    status: str
    latency_ms: int
    detail: str


def _price(key: str, name: str, pricing: dict[str, object]) -> Decimal:
    """Absent price keys mean zero in OpenRouter's format."""
    return to_decimal(key, name, pricing.get(name, "0"), MILLION)


def quote(item: dict[str, object]) -> PriceQuote | None:
    """One listed model's price per 1M tokens, or a quote naming why it is junk."""
    key = item.get("id")
    if not isinstance(key, str):
        return None
    pricing = item.get("pricing")
    expiry = item.get("expiration_date")
    try:
        deprecation = date.fromisoformat(expiry[:10]) if isinstance(expiry, str) else None
    except ValueError:
        deprecation = None
    if not isinstance(pricing, dict):  # an empty one is free: zero prices are left out
        return PriceQuote(key=key, problem="missing price fields", raw_input=str(pricing)[:100])
    raw_in, raw_out = str(pricing.get("prompt", ""))[:100], str(pricing.get("completion", ""))[:100]
    try:
        inp, out = _price(key, "prompt", pricing), _price(key, "completion", pricing)
    except CostMapError as exc:
        return PriceQuote(key=key, problem=str(exc)[:200], raw_input=raw_in, raw_output=raw_out)
    return PriceQuote(
        key=key,
        input_price=inp,
        output_price=out,
        deprecation_date=deprecation,
        raw_input=raw_in,
        raw_output=raw_out,
    )


class OpenRouterAdapter(VendorAdapter):
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def list_models(self) -> tuple[list[dict[str, object]], int]:
        url = f"{self.base_url}/models"
        body, latency_ms = self.get_json(url)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise shape_error(url, "no data list")
        return [item for item in data if isinstance(item, dict)], latency_ms

    def list_model_ids(self) -> tuple[set[str], int]:
        models, latency_ms = self.list_models()
        return {m["id"] for m in models if isinstance(m.get("id"), str)}, latency_ms  # type: ignore[misc]

    def price_quotes(self) -> dict[str, PriceQuote]:
        models, _ = self.list_models()
        quotes = (quote(item) for item in models)
        return {q.key: q for q in quotes if q is not None}

    def endpoint_health(self, model_id: str) -> EndpointHealth:
        """Up when a provider serves it well, degraded on poor uptime, down when none serves it."""
        url = f"{self.base_url}/models/{model_id}/endpoints"
        body, latency_ms = self.get_json(url)
        data = body.get("data") if isinstance(body, dict) else None
        endpoints = data.get("endpoints") if isinstance(data, dict) else None
        if not isinstance(endpoints, list):
            raise shape_error(url, "no endpoints list")
        serving = [e for e in endpoints if isinstance(e, dict) and e.get("status", 0) == 0]
        if not serving:
            return EndpointHealth(AvailabilityStatus.DOWN, latency_ms, "no provider serves it")
        uptimes = [e.get("uptime_last_30m") for e in serving]
        best = max((float(u) for u in uptimes if isinstance(u, int | float)), default=100.0)
        if best < DEGRADED_BELOW_UPTIME:
            return EndpointHealth(
                AvailabilityStatus.DEGRADED, latency_ms, f"best provider uptime {best:.1f}%"
            )
        return EndpointHealth(AvailabilityStatus.UP, latency_ms, f"{len(serving)} provider(s)")

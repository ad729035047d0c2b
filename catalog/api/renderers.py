"""`?format=litellm`: a unit's allow-list as a LiteLLM proxy `model_list`, ready to paste.

Each adoption the unit may call now becomes one deployment: `model_name` is the catalog slug
(unique across vendors), `litellm_params.model` is `<provider>/<vendor model id>` (vendor slugs
are LiteLLM provider names), the key is referenced as `os.environ/<api_key_env>` (never the key
itself) and per-token prices become LiteLLM's custom pricing, written exactly (no float
rounding).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import yaml
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from catalog.choices import ApiKind, PriceUnit
from catalog.models import Adoption

MILLION = Decimal(1_000_000)


class _Dumper(yaml.SafeDumper):
    """Decimals as plain YAML numbers with every digit kept."""


_Dumper.add_representer(
    Decimal,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:f}"),
)


def litellm_deployment(adoption: Adoption) -> dict[str, Any]:
    """One `model_list` entry for an adoption (its model, vendor and successor select_related)."""
    model, vendor = adoption.model, adoption.model.vendor
    provider_model = model.vendor_model_id
    if not provider_model.startswith(f"{vendor.slug}/"):
        provider_model = f"{vendor.slug}/{provider_model}"
    params: dict[str, Any] = {"model": provider_model}
    if vendor.api_key_env:
        params["api_key"] = f"os.environ/{vendor.api_key_env}"
    # OpenAI-compatible bases end with /v1 as LiteLLM expects; others keep LiteLLM's defaults.
    if vendor.api_kind == ApiKind.OPENAI and vendor.api_base_url:
        params["api_base"] = vendor.api_base_url
    if model.price_unit == PriceUnit.PER_MTOK:
        for side in ("input", "output"):
            price = getattr(model, f"{side}_price_per_mtok")
            if price is not None:
                params[f"{side}_cost_per_token"] = (price / MILLION).normalize()
    info = {
        "modelshelf_model": model.slug,
        "business_unit": adoption.unit.slug,
        "use_case": adoption.use_case,
        "expires_at": adoption.expires_at.isoformat(),
    }
    # A deprecated model stays until retirement; the gateway learns when and what replaces it.
    if model.deprecation_date is not None:
        info["deprecation_date"] = model.deprecation_date.isoformat()
    if model.retirement_date is not None:
        info["retirement_date"] = model.retirement_date.isoformat()
    if model.successor is not None:
        info["successor"] = model.successor.slug
    return {"model_name": model.slug, "litellm_params": params, "model_info": info}


def litellm_model_list(adoptions: Iterable[Adoption]) -> dict[str, Any]:
    return {"model_list": [litellm_deployment(adoption) for adoption in adoptions]}


class LiteLLMRenderer(BaseRenderer):
    """YAML for LiteLLM's proxy config. Views hand it `litellm_model_list(...)` or an error."""

    media_type = "application/yaml"
    format = "litellm"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            # Errors keep DRF's JSON shape, whatever format the caller asked for.
            response["Content-Type"] = "application/json"
            return JSONRenderer().render(data)
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True).encode()


class CSVRenderer(BaseRenderer):
    """Makes `?format=csv` (or `Accept: text/csv`) choosable; the views answer it with a
    streamed core.csv_export response, so this renders only errors, as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return b"" if data is None else JSONRenderer().render(data)


def wants_csv(request: Request) -> bool:
    accepted = getattr(request, "accepted_renderer", None)
    return accepted is not None and accepted.format == CSVRenderer.format

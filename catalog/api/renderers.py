"""The allow-list's other formats: LiteLLM's proxy config as YAML (`?format=litellm`), the
body of LiteLLM's `POST /team/update` (`?format=litellm-team`), and CSV. What they hold is
built in catalog.litellm_config; these only write it. Each has a media type of its own, so
the OpenAPI schema can say which body each format answers.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder


class _Dumper(yaml.SafeDumper):
    """Decimals as plain YAML numbers with every digit kept."""


_Dumper.add_representer(
    Decimal,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:f}"),
)


def _errors_as_json(data: Any, renderer_context: Mapping[str, Any] | None) -> bytes | None:
    """Errors keep DRF's JSON shape, whatever format the caller asked for."""
    response = (renderer_context or {}).get("response")
    if response is not None and response.status_code >= 400:
        response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)
    return None


class LiteLLMRenderer(BaseRenderer):
    """YAML for LiteLLM's proxy config. Views hand it `litellm_config.model_list(...)` or an
    error."""

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
        error = _errors_as_json(data, renderer_context)
        if error is not None:
            return error
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True).encode()


class _NumberEncoder(JSONEncoder):
    """Decimals as JSON numbers (LiteLLM's `max_budget` is a float), every digit kept."""

    def default(self, obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return float(obj)
        return super().default(obj)


class LiteLLMTeamRenderer(JSONRenderer):
    """JSON to POST to LiteLLM's `/team/update` as is; a media type of its own (JSON by its
    suffix), so the schema tells it from the allow-list page."""

    media_type = "application/vnd.litellm.team+json"
    format = "litellm-team"
    encoder_class = _NumberEncoder

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        error = _errors_as_json(data, renderer_context)
        if error is not None:
            return error
        return super().render(data, accepted_media_type, renderer_context)


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

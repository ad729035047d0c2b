"""OpenAI-format model list: `GET {api_base_url}/models` with a Bearer key → {data: [{id}]}."""

from typing import Any

from catalog.vendors.base import ModelList, listed_ids
from core.http import VendorAdapter, shape_error


def parse_model_list(body: Any, url: str, latency_ms: int) -> ModelList:
    """The listed ids, with one problem per item that has no string id."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise shape_error(url, "no data list")
    ids, problems = listed_ids(data, "model list")
    return ModelList(ids, latency_ms, problems)


class OpenAIAdapter(VendorAdapter):
    """Also fits the many OpenAI-compatible vendors (Mistral, DeepSeek, Together…)."""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def list_model_ids(self) -> ModelList:
        """The ids the vendor serves now, the list call's latency in ms, and its problems."""
        url = f"{self.base_url}/models"
        body, latency_ms = self.get_json(url)
        return parse_model_list(body, url, latency_ms)

"""OpenAI-format model list: `GET {api_base_url}/models` with a Bearer key → {data: [{id}]}."""

from catalog.vendors.base import VendorAdapter, shape_error


class OpenAIAdapter(VendorAdapter):
    """Also fits the many OpenAI-compatible vendors (Mistral, DeepSeek, Together…)."""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def list_model_ids(self) -> tuple[set[str], int]:
        """The ids the vendor serves now, and the list call's latency in ms."""
        url = f"{self.base_url}/models"
        body, latency_ms = self.get_json(url)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise shape_error(url, "no data list")
        return {item["id"] for item in data if isinstance(item, dict) and "id" in item}, latency_ms

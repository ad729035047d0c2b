"""Anthropic-format model list: `GET {api_base_url}/models`, `x-api-key` + `anthropic-version`,
paginated with `has_more` / `last_id` (passed back as `after_id`)."""

from catalog.vendors.base import VendorAdapter, shape_error

API_VERSION = "2023-06-01"
PAGE_SIZE = 1000
MAX_PAGES = 100  # a vendor that says has_more forever must not hold the job


class AnthropicAdapter(VendorAdapter):
    def headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        return headers

    def list_model_ids(self) -> tuple[set[str], int]:
        """Every page's ids, and the total latency of the calls in ms."""
        url = f"{self.base_url}/models"
        ids: set[str] = set()
        total_ms = 0
        params = {"limit": str(PAGE_SIZE)}
        for _ in range(MAX_PAGES):
            body, latency_ms = self.get_json(url, params)
            total_ms += latency_ms
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise shape_error(url, "no data list")
            ids.update(item["id"] for item in data if isinstance(item, dict) and "id" in item)
            last_id = body.get("last_id")
            if not body.get("has_more") or not isinstance(last_id, str):
                return ids, total_ms
            params = {"limit": str(PAGE_SIZE), "after_id": last_id}
        raise shape_error(url, f"more than {MAX_PAGES} pages")

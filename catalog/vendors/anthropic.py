"""Anthropic-format model list: `GET {api_base_url}/models`, `x-api-key` + `anthropic-version`,
paginated with `has_more` / `last_id` (passed back as `after_id`)."""

from typing import Any, NamedTuple

from catalog.vendors.base import ModelList, listed_ids
from core.http import VendorAdapter, shape_error

API_VERSION = "2023-06-01"
PAGE_SIZE = 1000
MAX_PAGES = 100  # a vendor that says has_more forever must not hold the job


class Page(NamedTuple):
    ids: set[str]
    problems: list[str]
    next_id: str | None  # the cursor of the next page; None on the last one


def parse_page(body: Any, url: str) -> Page:
    """One page's ids and problems, and where the next page starts."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise shape_error(url, "no data list")
    ids, problems = listed_ids(data, "model list")
    last_id = body.get("last_id")
    more = body.get("has_more") is True and isinstance(last_id, str) and last_id
    return Page(ids, problems, last_id if more else None)


class AnthropicAdapter(VendorAdapter):
    def headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        return headers

    def list_model_ids(self) -> ModelList:
        """Every page's ids, the total latency of the calls in ms, and the pages' problems."""
        url = f"{self.base_url}/models"
        ids: set[str] = set()
        problems: list[str] = []
        total_ms = 0
        params = {"limit": str(PAGE_SIZE)}
        for _ in range(MAX_PAGES):
            body, latency_ms = self.get_json(url, params)
            total_ms += latency_ms
            page = parse_page(body, url)
            ids |= page.ids
            problems += page.problems
            if page.next_id is None:
                return ModelList(ids, total_ms, problems)
            params = {"limit": str(PAGE_SIZE), "after_id": page.next_id}
        raise shape_error(url, f"more than {MAX_PAGES} pages")

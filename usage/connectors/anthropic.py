"""Anthropic organization (admin key): `GET {base}/organizations/usage_report/messages`
(tokens per workspace, model and day) and `GET {base}/organizations/cost_report` (charges per
workspace and description, which names the model).

Cost amounts are decimal strings in the currency's lowest unit: "123.45" USD is $1.23. The
report gives uncached input, cache reads and cache creation apart, and they stay apart: each is
priced at its own rate. Grouped by context window too, so usage above 200k tokens is priced at
the long-context tier. The default workspace reports `workspace_id: null`; its account id
here is "default". The report has no request count, so requests are unknown (null).
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from usage.connectors.base import (
    BadValue,
    CostRow,
    Fetched,
    UsageConnector,
    UsageRow,
    buckets,
    count,
    mapping,
    money,
    parse_into,
    shown,
    text,
)

API_VERSION = "2023-06-01"
BUCKETS_PER_PAGE = 31
CENTS = "0.01"
DEFAULT_WORKSPACE = "default"


def rfc3339(day: date) -> str:
    return datetime.combine(day, time(), UTC).isoformat().replace("+00:00", "Z")


class AnthropicUsageConnector(UsageConnector):
    def headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        return headers

    def fetch(self, *, accounts: list[str], since: date, until: date) -> Fetched:
        fetched = Fetched()
        window = [
            ("starting_at", rfc3339(since)),
            ("ending_at", rfc3339(until + timedelta(days=1))),
            ("bucket_width", "1d"),
            ("limit", str(BUCKETS_PER_PAGE)),
            *[("workspace_ids[]", a) for a in accounts if a != DEFAULT_WORKSPACE],
        ]
        usage = f"{self.base_url}/organizations/usage_report/messages"
        query = [
            *window,
            ("group_by[]", "workspace_id"),
            ("group_by[]", "model"),
            ("group_by[]", "context_window"),
        ]
        for day, item in buckets(self, usage, query, fetched, start="starting_at"):
            parse_into(fetched, usage, item, partial(_usage_row, day), day=day, account_of=_account)
        costs = f"{self.base_url}/organizations/cost_report"
        query = [*window, ("group_by[]", "workspace_id"), ("group_by[]", "description")]
        for day, item in buckets(self, costs, query, fetched, start="starting_at"):
            parse_into(fetched, costs, item, partial(_cost_row, day), day=day, account_of=_account)
        return fetched


def _workspace(value: object) -> str:
    return DEFAULT_WORKSPACE if value is None else text(value, "workspace_id")


def _account(result: dict[str, Any]) -> str:
    return _workspace(result.get("workspace_id"))


def _usage_row(day: date, result: dict[str, Any]) -> UsageRow:
    # Creation is reported per cache lifetime (5 minutes, 1 hour); the catalog has one cache
    # write rate (LiteLLM's, the 5-minute one), so both are written at it.
    creation = result.get("cache_creation") or {}
    cache_created = sum(
        count(value, f"cache_creation.{name}") for name, value in mapping(creation, "cache").items()
    )
    window = result.get("context_window")
    if window is not None and not isinstance(window, str):
        raise BadValue(f"context_window must be a string, got {shown(window)}")
    return UsageRow(
        account=_account(result),
        day=day,
        model=text(result.get("model"), "model"),
        input_tokens=count(result.get("uncached_input_tokens"), "uncached_input_tokens"),
        output_tokens=count(result.get("output_tokens"), "output_tokens"),
        # The messages usage report counts tokens only (server_tool_use counts web searches,
        # not messages): how many requests is unknown, not 0.
        requests=None,
        cache_read_tokens=count(result.get("cache_read_input_tokens"), "cache_read_input_tokens"),
        cache_write_tokens=count(cache_created, "cache_creation"),
        long_context=window is not None and not window.startswith("0-"),
    )


def _cost_row(day: date, result: dict[str, Any]) -> CostRow:
    currency = result.get("currency")
    if not isinstance(currency, str) or currency.upper() != "USD":
        raise BadValue(f"currency must be USD, got {shown(currency)}")
    amount = result.get("amount")
    if not isinstance(amount, str):
        raise BadValue(f"amount must be a decimal string of cents, got {shown(amount)}")
    model = result.get("model")
    return CostRow(
        account=_account(result),
        day=day,
        model="" if model is None else text(model, "model"),
        amount=money(amount, "amount", scale=Decimal(CENTS)),
    )

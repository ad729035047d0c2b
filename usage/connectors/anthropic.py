"""Anthropic organization (admin key): `GET {base}/organizations/usage_report/messages`
(tokens per workspace, model and day) and `GET {base}/organizations/cost_report` (charges per
workspace and description, which names the model).

Cost amounts are decimal strings in the currency's lowest unit: "123.45" USD is $1.23. Input
tokens are the uncached ones plus cache reads and cache creation (all billed as input). The
default workspace reports `workspace_id: null`; its account id here is "default". The report
has no request count, so requests are recorded as unknown (null).
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
        query = [*window, ("group_by[]", "workspace_id"), ("group_by[]", "model")]
        for day, item in buckets(self, usage, query, fetched, start="starting_at"):
            parse_into(fetched, usage, item, partial(_usage_row, day))
        costs = f"{self.base_url}/organizations/cost_report"
        query = [*window, ("group_by[]", "workspace_id"), ("group_by[]", "description")]
        for day, item in buckets(self, costs, query, fetched, start="starting_at"):
            parse_into(fetched, costs, item, partial(_cost_row, day))
        return fetched


def _workspace(value: object) -> str:
    return DEFAULT_WORKSPACE if value is None else text(value, "workspace_id")


def _usage_row(day: date, result: dict[str, Any]) -> UsageRow:
    creation = result.get("cache_creation") or {}
    cache_created = sum(
        count(value, f"cache_creation.{name}") for name, value in mapping(creation, "cache").items()
    )
    input_tokens = (
        count(result.get("uncached_input_tokens"), "uncached_input_tokens")
        + count(result.get("cache_read_input_tokens"), "cache_read_input_tokens")
        + cache_created
    )
    return UsageRow(
        account=_workspace(result.get("workspace_id")),
        day=day,
        model=text(result.get("model"), "model"),
        input_tokens=count(input_tokens, "input tokens"),
        output_tokens=count(result.get("output_tokens"), "output_tokens"),
        # The messages usage report counts tokens only (server_tool_use counts web searches,
        # not messages): how many requests is unknown, not 0.
        requests=None,
    )


def _cost_row(day: date, result: dict[str, Any]) -> CostRow:
    currency = result.get("currency")
    if not isinstance(currency, str) or currency.upper() != "USD":
        raise BadValue(f"currency must be USD, got {currency!r}")
    amount = result.get("amount")
    if not isinstance(amount, str):
        raise BadValue(f"amount must be a decimal string of cents, got {amount!r}")
    model = result.get("model")
    return CostRow(
        account=_workspace(result.get("workspace_id")),
        day=day,
        model="" if model is None else text(model, "model"),
        amount=money(amount, "amount", scale=Decimal(CENTS)),
    )

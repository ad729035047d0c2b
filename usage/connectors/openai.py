"""OpenAI organization (admin key): `GET {base}/organization/usage/completions` (tokens per
project, model and day) and `GET {base}/organization/costs` (USD per project and day).

Both answer {data: [{start_time, results: [...]}], has_more, next_page}; the page token goes
back as `page`. Costs are not split by model: the ingest job shares each project-day's charge
over that day's models in proportion to their list cost.
"""

from datetime import UTC, date, datetime, time, timedelta
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

BUCKETS_PER_PAGE = 31


def unix(day: date) -> int:
    return int(datetime.combine(day, time(), UTC).timestamp())


class OpenAIUsageConnector(UsageConnector):
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def fetch(self, *, accounts: list[str], since: date, until: date) -> Fetched:
        fetched = Fetched()
        window = [
            ("start_time", str(unix(since))),
            ("end_time", str(unix(until + timedelta(days=1)))),
            ("bucket_width", "1d"),
            ("limit", str(BUCKETS_PER_PAGE)),
            *[("project_ids", account) for account in accounts],
        ]
        usage = f"{self.base_url}/organization/usage/completions"
        grouped = [*window, ("group_by", "project_id"), ("group_by", "model")]
        for day, item in buckets(self, usage, grouped, fetched, start="start_time"):
            parse_into(fetched, usage, item, partial(_usage_row, day))
        costs = f"{self.base_url}/organization/costs"
        query = [*window, ("group_by", "project_id")]
        for day, item in buckets(self, costs, query, fetched, start="start_time"):
            parse_into(fetched, costs, item, partial(_cost_row, day))
        return fetched


def _usage_row(day: date, result: dict[str, Any]) -> UsageRow:
    return UsageRow(
        account=text(result.get("project_id"), "project_id"),
        day=day,
        model=text(result.get("model"), "model"),
        input_tokens=count(result.get("input_tokens"), "input_tokens"),
        output_tokens=count(result.get("output_tokens"), "output_tokens"),
        requests=count(result.get("num_model_requests"), "num_model_requests"),
    )


def _cost_row(day: date, result: dict[str, Any]) -> CostRow:
    amount = mapping(result.get("amount"), "amount")
    currency = amount.get("currency")
    if not isinstance(currency, str) or currency.lower() != "usd":
        raise BadValue(f"currency must be usd, got {currency!r}")
    return CostRow(
        account=text(result.get("project_id"), "project_id"),
        day=day,
        model="",
        amount=money(amount.get("value"), "amount.value"),
    )

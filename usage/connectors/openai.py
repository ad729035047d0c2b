"""OpenAI organization (admin key): `GET {base}/organization/usage/completions` (tokens per
project, model and day) and `GET {base}/organization/costs` (USD per project and day).

Both answer {data: [{start_time, results: [...]}], has_more, next_page}; the page token goes
back as `page`. `input_tokens` includes `input_cached_tokens`; they are kept apart, each priced
at its own rate. Costs are grouped by line item: a chat model's line is shared over that day's
rows of the model; a line no completion usage explains (embeddings, images, storage…) stays a
line of its own, named by the line item, never spread over chat models.
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
    part_of,
    shown,
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
            parse_into(fetched, usage, item, partial(_usage_row, day), day=day, account_of=_account)
        costs = f"{self.base_url}/organization/costs"
        query = [*window, ("group_by", "project_id"), ("group_by", "line_item")]
        for day, item in buckets(self, costs, query, fetched, start="start_time"):
            parse_into(fetched, costs, item, partial(_cost_row, day), day=day, account_of=_account)
        return fetched


def _account(result: dict[str, Any]) -> str:
    return text(result.get("project_id"), "project_id")


def _usage_row(day: date, result: dict[str, Any]) -> UsageRow:
    cached = count(result.get("input_cached_tokens"), "input_cached_tokens")
    return UsageRow(
        account=_account(result),
        day=day,
        model=text(result.get("model"), "model"),
        input_tokens=part_of(
            count(result.get("input_tokens"), "input_tokens"), cached, "input_tokens"
        ),
        output_tokens=count(result.get("output_tokens"), "output_tokens"),
        requests=count(result.get("num_model_requests"), "num_model_requests"),
        cache_read_tokens=cached,
    )


def _cost_row(day: date, result: dict[str, Any]) -> CostRow:
    amount = mapping(result.get("amount"), "amount")
    currency = amount.get("currency")
    if not isinstance(currency, str) or currency.lower() != "usd":
        raise BadValue(f"currency must be usd, got {shown(currency)}")
    line_item = result.get("line_item")
    # "gpt-4o-2024-08-06, input" names a model; "Image models" or "File search storage" a line
    # of its own. None: the answer is not split by line item (the day's charge is shared).
    model = "" if line_item is None else text(line_item, "line_item").split(",")[0].strip()
    return CostRow(
        account=_account(result),
        day=day,
        model=model,
        amount=money(amount.get("value"), "amount.value"),
    )

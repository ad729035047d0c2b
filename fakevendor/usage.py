"""The fake vendor's usage endpoints: deterministic daily usage from a plan, in each format.

  /litellm/team/daily/activity                         LiteLLM proxy, paginated by `page`
  /openai/v1/organization/usage/completions, /costs    OpenAI admin API, `page` tokens
  /anthropic/v1/organizations/usage_report/messages    Anthropic admin API, `page` tokens
  /anthropic/v1/organizations/cost_report              amounts as decimal strings of cents

Volumes vary by day (±20 %, from a hash of account, model and day, so every call agrees);
costs are the served cost map's prices, except that a plan may bill a vendor under list (the
demo's Anthropic bills 12 % under). `junk` (the server's fault prefix) adds untrustworthy items.
"""

import functools
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

MILLION = Decimal(1_000_000)
ROUTES = {
    ("litellm", "team", "daily", "activity"): "litellm",
    ("openai", "v1", "organization", "usage", "completions"): "openai_usage",
    ("openai", "v1", "organization", "costs"): "openai_costs",
    ("anthropic", "v1", "organizations", "usage_report", "messages"): "anthropic_usage",
    ("anthropic", "v1", "organizations", "cost_report"): "anthropic_costs",
}


@dataclass(frozen=True)
class Entry:
    """An account's steady use of one model: tokens and requests on an average day."""

    kind: str  # litellm | openai | anthropic: which endpoint reports it
    account: str
    model: str
    daily_input: int
    daily_output: int
    daily_requests: int = 100


@dataclass
class UsagePlan:
    entries: list[Entry]
    start: date
    end: date | None = None  # default: today (UTC)
    bill_factor: dict[str, Decimal] = field(default_factory=dict)
    page_size: int = 31  # days per page at most, whatever the caller asks
    # The share of a LiteLLM team's prompt tokens it reports as cache reads (included in
    # prompt_tokens, as the proxy counts them).
    litellm_cache_share: Decimal = Decimal(0)

    @functools.cached_property
    def by_account(self) -> dict[tuple[str, str], list[Entry]]:
        index: dict[tuple[str, str], list[Entry]] = {}
        for entry in self.entries:
            index.setdefault((entry.kind, entry.account), []).append(entry)
        return index

    def days(self, since: date, until: date) -> list[date]:
        last = min(until, self.end or datetime.now(UTC).date())
        first = max(since, self.start)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def volume(self, entry: Entry, day: date) -> tuple[int, int, int]:
        factor = Decimal(8000 + zlib.crc32(f"{entry.account}|{entry.model}|{day}".encode()) % 4001)
        scale = factor / 10000
        return (
            int(entry.daily_input * scale),
            int(entry.daily_output * scale),
            max(1, int(entry.daily_requests * scale)),
        )


def demo_plan() -> UsagePlan:
    """The demo units' usage since the first of last month (see usage/demo.py for the accounts).
    Marketing runs its approved gpt-4o-mini hot and uses gpt-4o unapproved; Legal uses
    gpt-4o-mini with no adoption; Anthropic bills Customer Support 12 % under list."""
    today = datetime.now(UTC).date()
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return UsagePlan(
        start=start,
        bill_factor={"anthropic": Decimal("0.88")},
        entries=[
            Entry("litellm", "team-marketing", "gpt-4o-mini", 1_800_000, 360_000, 900),
            Entry("litellm", "team-marketing", "text-embedding-3-small", 650_000, 0, 300),
            Entry("litellm", "team-marketing", "gpt-4o", 500_000, 100_000, 150),
            Entry("litellm", "team-engineering", "mistral/codestral-latest", 9_000_000, 900_000),
            Entry("litellm", "team-engineering", "claude-sonnet-4-5", 1_900_000, 380_000, 400),
            Entry("anthropic", "wrkspc_support", "claude-haiku-4-5", 4_000_000, 800_000, 2000),
            Entry("openai", "proj_legal", "gpt-4o-mini", 300_000, 60_000, 120),
        ],
    )


def handles(segments: list[str]) -> bool:
    return tuple(segments) in ROUTES


def _list_usd(
    cost_map: dict[str, Any],
    model: str,
    tokens_in: int,
    tokens_out: int,
    cache_read: int = 0,
    cache_write: int = 0,
) -> Decimal:
    """What the tokens cost at the served map's prices, each part at its own rate, as a vendor
    bills them (a cache rate the map lacks is the input rate)."""
    prices = cost_map.get(model) or {}

    def rate(name: str, default: object = 0) -> Decimal:
        return Decimal(str(prices.get(name) or default))

    price_in = rate("input_cost_per_token")
    return (
        price_in * tokens_in
        + rate("output_cost_per_token") * tokens_out
        + rate("cache_read_input_token_cost", price_in) * cache_read
        + rate("cache_creation_input_token_cost", price_in) * cache_write
    )


def answer(
    plan: UsagePlan,
    cost_map: dict[str, Any],
    segments: list[str],
    query: dict[str, list[str]],
    headers: Any,
    fault: str,
) -> tuple[object, int]:
    route = ROUTES[tuple(segments)]
    kind = route.split("_")[0]
    if kind == "anthropic":
        if not (headers.get("x-api-key") and headers.get("anthropic-version")):
            return {"error": {"message": "missing x-api-key"}}, 401
    elif not headers.get("authorization", "").startswith("Bearer "):
        return {"error": {"message": "missing API key"}}, 401
    try:
        return globals()[f"_{route}"](plan, cost_map, query, fault == "junk"), 200
    except (ValueError, KeyError, OverflowError) as exc:
        return {"error": {"message": f"bad query: {exc}"}}, 400


def _entries(plan: UsagePlan, kind: str, accounts: list[str]) -> list[Entry]:
    if not accounts:
        return [e for e in plan.entries if e.kind == kind]
    return [e for a in dict.fromkeys(accounts) for e in plan.by_account.get((kind, a), [])]


def _litellm(
    plan: UsagePlan, cost_map: dict[str, Any], query: dict[str, list[str]], junk: bool
) -> object:
    teams = [t for v in query.get("team_ids", []) for t in v.split(",") if t]
    days = plan.days(
        date.fromisoformat(query["start_date"][0]), date.fromisoformat(query["end_date"][0])
    )
    entries = _entries(plan, "litellm", teams)
    days = [d for d in days if entries]
    size = min(int(query.get("page_size", ["50"])[0]), plan.page_size)
    page = int(query.get("page", ["1"])[0])
    chunk = days[(page - 1) * size : page * size]
    results: list[object] = []
    for day in chunk:
        models: dict[str, Any] = {}
        for entry in entries:
            tokens_in, tokens_out, requests = plan.volume(entry, day)
            cached = int(tokens_in * plan.litellm_cache_share)
            spend = _list_usd(cost_map, entry.model, tokens_in - cached, tokens_out, cached)
            spend *= plan.bill_factor.get("litellm", Decimal(1))
            metrics = models.setdefault(entry.model, {"metrics": _zero()})["metrics"]
            metrics["spend"] += float(spend)
            metrics["prompt_tokens"] += tokens_in
            metrics["cache_read_input_tokens"] += cached
            metrics["completion_tokens"] += tokens_out
            metrics["total_tokens"] += tokens_in + tokens_out
            metrics["api_requests"] += requests
            metrics["successful_requests"] += requests
        if junk:
            models["junk-model"] = {"metrics": {"prompt_tokens": "lots", "spend": float("nan")}}
            models["negative-model"] = {"metrics": {"prompt_tokens": -5, "spend": 0.1}}
        results.append(
            {"date": day.isoformat(), "metrics": _zero(), "breakdown": {"models": models}}
        )
    if junk:
        results.append({"date": "yesterday-ish", "breakdown": {"models": {}}})
    total_pages = max(1, -(-len(days) // size))
    return {
        "results": results,
        "metadata": {"page": page, "total_pages": total_pages, "has_more": page < total_pages},
    }


def _zero() -> dict[str, Any]:
    return {
        "spend": 0.0, "prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0,
        "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0,
        "api_requests": 0, "successful_requests": 0, "failed_requests": 0,
    }  # fmt: skip


def _paged(
    plan: UsagePlan, days: list[date], query: dict[str, list[str]]
) -> tuple[list[date], dict[str, object]]:
    size = min(int(query.get("limit", ["7"])[0]), plan.page_size)
    offset = int(query.get("page", ["page_0"])[0].removeprefix("page_"))
    chunk = days[offset : offset + size]
    more = offset + size < len(days)
    return chunk, {"has_more": more, "next_page": f"page_{offset + size}" if more else None}


def _unix_window(plan: UsagePlan, query: dict[str, list[str]]) -> list[date]:
    start = datetime.fromtimestamp(int(query["start_time"][0]), UTC).date()
    end = datetime.fromtimestamp(int(query["end_time"][0]), UTC).date() - timedelta(days=1)
    return plan.days(start, end)


def _openai_usage(
    plan: UsagePlan, cost_map: dict[str, Any], query: dict[str, list[str]], junk: bool
) -> object:
    entries = _entries(plan, "openai", query.get("project_ids", []))
    chunk, paging = _paged(plan, _unix_window(plan, query), query)
    data = []
    for day in chunk:
        results: list[object] = []
        for entry in entries:
            tokens_in, tokens_out, requests = plan.volume(entry, day)
            results.append({
                "object": "organization.usage.completions.result",
                "input_tokens": tokens_in, "output_tokens": tokens_out,
                "input_cached_tokens": tokens_in // 10, "num_model_requests": requests,
                "project_id": entry.account, "model": entry.model,
                "user_id": None, "api_key_id": None, "batch": None,
            })  # fmt: skip
        if junk:
            results += [
                {"project_id": "proj_legal", "model": None, "input_tokens": 5},
                {"project_id": "proj_legal", "model": "gpt-x", "input_tokens": -5},
                "not an object",
            ]
        data.append(_bucket(day, results))
    if junk:
        data.append({"object": "bucket", "start_time": "soon", "results": "oops"})
    return {"object": "page", "data": data, **paging}


def _bucket(day: date, results: list[object]) -> dict[str, object]:
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    return {"object": "bucket", "start_time": start, "end_time": start + 86400, "results": results}


def _openai_costs(
    plan: UsagePlan, cost_map: dict[str, Any], query: dict[str, list[str]], junk: bool
) -> object:
    entries = _entries(plan, "openai", query.get("project_ids", []))
    chunk, paging = _paged(plan, _unix_window(plan, query), query)
    data = []
    factor = plan.bill_factor.get("openai", Decimal(1))
    for day in chunk:
        by_project: dict[str, Decimal] = {}
        for entry in entries:
            tokens_in, tokens_out, _ = plan.volume(entry, day)
            cached = tokens_in // 10  # as the usage endpoint reports them
            usd = _list_usd(cost_map, entry.model, tokens_in - cached, tokens_out, cached) * factor
            usd = usd.quantize(Decimal("0.000001"))  # each model's line rounded, as billed
            by_project[entry.account] = by_project.get(entry.account, Decimal(0)) + usd
        results: list[object] = [
            {"object": "organization.costs.result", "project_id": project, "line_item": None,
             "amount": {"value": float(usd.quantize(Decimal("0.000001"))), "currency": "usd"}}
            for project, usd in by_project.items()
        ]  # fmt: skip
        if junk:
            results.append(
                {"project_id": "proj_legal", "amount": {"value": 1e30, "currency": "usd"}}
            )
        data.append(_bucket(day, results))
    return {"object": "page", "data": data, **paging}


def _rfc_window(plan: UsagePlan, query: dict[str, list[str]]) -> list[date]:
    start = datetime.fromisoformat(query["starting_at"][0].replace("Z", "+00:00")).date()
    end = datetime.fromisoformat(query["ending_at"][0].replace("Z", "+00:00")).date()
    return plan.days(start, end - timedelta(days=1))


def _rfc_bucket(day: date, results: list[object]) -> dict[str, object]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    iso = start.isoformat().replace("+00:00", "Z")
    end = (start + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    return {"starting_at": iso, "ending_at": end, "results": results}


def _anthropic_usage(
    plan: UsagePlan, cost_map: dict[str, Any], query: dict[str, list[str]], junk: bool
) -> object:
    entries = _entries(plan, "anthropic", query.get("workspace_ids[]", []))
    chunk, paging = _paged(plan, _rfc_window(plan, query), query)
    data = []
    for day in chunk:
        results: list[object] = []
        for entry in entries:
            tokens_in, tokens_out, _ = plan.volume(entry, day)
            cache_read, cache_created = tokens_in // 5, tokens_in // 10
            results.append({
                "uncached_input_tokens": tokens_in - cache_read - cache_created,
                "cache_read_input_tokens": cache_read,
                "cache_creation": {"ephemeral_5m_input_tokens": cache_created,
                                   "ephemeral_1h_input_tokens": 0},
                "output_tokens": tokens_out, "server_tool_use": {"web_search_requests": 0},
                "workspace_id": entry.account, "model": entry.model, "api_key_id": None,
                "service_tier": "standard", "context_window": "0-200k",
            })  # fmt: skip
        if junk:
            results.append({"workspace_id": "wrkspc_support", "model": "claude-x",
                            "uncached_input_tokens": float("inf"), "output_tokens": 1})  # fmt: skip
        data.append(_rfc_bucket(day, results))
    return {"data": data, **paging}


def _anthropic_costs(
    plan: UsagePlan, cost_map: dict[str, Any], query: dict[str, list[str]], junk: bool
) -> object:
    entries = _entries(plan, "anthropic", query.get("workspace_ids[]", []))
    chunk, paging = _paged(plan, _rfc_window(plan, query), query)
    factor = plan.bill_factor.get("anthropic", Decimal(1))
    data = []
    for day in chunk:
        results: list[object] = []
        for entry in entries:
            tokens_in, tokens_out, _ = plan.volume(entry, day)
            cache_read, cache_created = tokens_in // 5, tokens_in // 10  # as usage reports them
            uncached = tokens_in - cache_read - cache_created
            for token_type, tokens in (
                ("uncached_input_tokens", (uncached, 0, 0, 0)),
                ("output_tokens", (0, tokens_out, 0, 0)),
                ("cache_read_input_tokens", (0, 0, cache_read, 0)),
                ("cache_creation.ephemeral_5m_input_tokens", (0, 0, 0, cache_created)),
            ):
                cents = _list_usd(cost_map, entry.model, *tokens) * factor * 100
                results.append({
                    "currency": "USD", "amount": str(cents.quantize(Decimal("0.000001"))),
                    "workspace_id": entry.account, "model": entry.model,
                    "description": f"{entry.model} usage - {token_type}", "cost_type": "tokens",
                    "token_type": token_type, "context_window": "0-200k",
                    "service_tier": "standard",
                })  # fmt: skip
        if junk:
            results += [
                {"currency": "USD", "amount": 12.5, "workspace_id": "wrkspc_support"},
                {"currency": "USD", "amount": "NaN", "workspace_id": "wrkspc_support"},
                {"currency": "EUR", "amount": "100", "workspace_id": "wrkspc_support"},
            ]
        data.append(_rfc_bucket(day, results))
    return {"data": data, **paging}

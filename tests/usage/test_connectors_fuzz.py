"""Generated vendor answers (hypothesis): whatever a usage API sends, a connector yields only
trustworthy rows or raises VendorError; it never raises anything else."""

import json
from datetime import date
from decimal import Decimal

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.http import VendorError
from usage.connectors import CONNECTORS
from usage.connectors.base import MAX_AMOUNT, MAX_COUNT

JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        ["1e30", "1e1000002", "NaN", "-5", "2026-10-01", "2026-10-01T00:00:00Z", "12.5"]
    )
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def maybe(value: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the expected shape, sometimes anything: deep items get reached, and broken."""
    return st.integers(0, 9).flatmap(lambda n: value if n else JSON)


litellm_model = st.fixed_dictionaries(
    {"metrics": maybe(st.fixed_dictionaries({
        "spend": maybe(st.floats(min_value=0, max_value=1e6)),
        "prompt_tokens": maybe(st.integers(min_value=0, max_value=10**9)),
        "completion_tokens": maybe(st.integers(min_value=0, max_value=10**9)),
        "api_requests": maybe(st.integers(min_value=0, max_value=10**6)),
    }))}
)  # fmt: skip
litellm_body = maybe(st.fixed_dictionaries({
    "results": maybe(st.lists(maybe(st.fixed_dictionaries({
        "date": maybe(st.sampled_from(["2026-10-01", "2026-10-02"])),
        "breakdown": maybe(st.fixed_dictionaries({
            "models": maybe(st.dictionaries(st.text(max_size=10), maybe(litellm_model), max_size=3))
        })),
    })), max_size=3)),
    "metadata": maybe(st.fixed_dictionaries({"has_more": st.just(False)})),
}))  # fmt: skip
bucket_result = st.fixed_dictionaries({
    "project_id": maybe(st.just("p1")), "workspace_id": maybe(st.just("w1")),
    "model": maybe(st.just("m")), "input_tokens": maybe(st.integers(0, 10**9)),
    "output_tokens": maybe(st.integers(0, 10**9)),
    "num_model_requests": maybe(st.integers(0, 10**6)),
    "uncached_input_tokens": maybe(st.integers(0, 10**9)),
    "cache_creation": maybe(st.fixed_dictionaries({"ephemeral_5m_input_tokens": JSON})),
    "amount": maybe(st.one_of(
        st.decimals(allow_nan=True).map(str),
        st.fixed_dictionaries({"value": JSON, "currency": maybe(st.just("usd"))}),
    )),
    "currency": maybe(st.just("USD")),
})  # fmt: skip
bucket_body = maybe(st.fixed_dictionaries({
    "data": maybe(st.lists(maybe(st.fixed_dictionaries({
        "start_time": maybe(st.integers(-(2**40), 2**40)),
        "starting_at": maybe(st.just("2026-10-01T00:00:00Z")),
        "results": maybe(st.lists(maybe(bucket_result), max_size=3)),
    })), max_size=3)),
    "has_more": st.just(False),
}))  # fmt: skip


def run(kind: str, body: object) -> None:
    payload = json.dumps(body, allow_nan=True).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=payload))
    with httpx.Client(transport=transport) as client:
        connector = CONNECTORS[kind](client, base_url="https://vendor.test/v1")
        try:
            fetched = connector.fetch(
                accounts=["p1", "w1"], since=date(2026, 10, 1), until=date(2026, 10, 2)
            )
        except VendorError as exc:
            assert exc.permanent
            return
    for row in fetched.rows:
        assert isinstance(row.account, str) and row.account and isinstance(row.model, str)
        counts = [row.input_tokens, row.output_tokens]
        if kind == "anthropic":
            assert row.requests is None  # its usage report counts no requests: unknown, not 0
        else:
            counts.append(row.requests)
        for value in counts:
            assert isinstance(value, int) and 0 <= value <= MAX_COUNT
        if row.billed_cost is not None:
            assert row.billed_cost.is_finite() and 0 <= row.billed_cost <= MAX_AMOUNT
    for cost in fetched.costs:
        assert isinstance(cost.amount, Decimal) and 0 <= cost.amount <= MAX_AMOUNT


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(litellm_body)
def test_litellm_answers_never_escape_as_anything_but_vendor_error(body):
    run("litellm", body)


@FUZZ
@given(bucket_body)
def test_openai_answers_never_escape_as_anything_but_vendor_error(body):
    run("openai", body)


@FUZZ
@given(bucket_body)
def test_anthropic_answers_never_escape_as_anything_but_vendor_error(body):
    run("anthropic", body)


anthropic_result = st.fixed_dictionaries(
    {
        "workspace_id": st.sampled_from(["w1", None]),
        "model": st.sampled_from(["claude-haiku-4-5", "claude-sonnet-4-5"]),
        "uncached_input_tokens": st.integers(0, 10**9),
        "cache_read_input_tokens": st.integers(0, 10**9),
        "cache_creation": st.fixed_dictionaries(
            {
                "ephemeral_5m_input_tokens": st.integers(0, 10**9),
                "ephemeral_1h_input_tokens": st.integers(0, 10**9),
            }
        ),
        "output_tokens": st.integers(0, 10**9),
    },
    optional={
        "server_tool_use": st.fixed_dictionaries({"web_search_requests": st.integers(0, 10**6)}),
        "api_key_id": st.none() | st.text(max_size=8),
        "service_tier": st.sampled_from(["standard", "batch", "priority"]),
        "context_window": st.sampled_from(["0-200k", "200k-1M"]),
    },
)


@FUZZ
@given(st.lists(anthropic_result, min_size=1, max_size=4))
def test_anthropic_usage_is_parsed_exactly_with_requests_unknown(results):
    """Every well-formed result becomes one row: uncached input, cache reads and cache creation
    kept apart, and requests None, whatever else it carries (web searches are not message
    requests)."""
    body = {
        "data": [{"starting_at": "2026-10-01T00:00:00Z", "results": results}],
        "has_more": False,
        "next_page": None,
    }
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, json=body if "usage_report" in request.url.path else {"data": []}
        )
    )
    with httpx.Client(transport=transport) as client:
        connector = CONNECTORS["anthropic"](client, base_url="https://vendor.test/v1")
        fetched = connector.fetch(accounts=["w1"], since=date(2026, 10, 1), until=date(2026, 10, 1))
    assert not fetched.problems
    assert [
        (
            row.account,
            row.model,
            row.input_tokens,
            row.cache_read_tokens,
            row.cache_write_tokens,
            row.output_tokens,
            row.requests,
        )
        for row in fetched.rows
    ] == [
        (
            r["workspace_id"] or "default",
            r["model"],
            r["uncached_input_tokens"],
            r["cache_read_input_tokens"],
            sum(r["cache_creation"].values()),
            r["output_tokens"],
            None,
        )
        for r in results
    ]

# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Vendor adapters against the fake vendor over real HTTP on loopback: formats, auth headers,
pagination, and every failure classified as permanent or transient."""

from decimal import Decimal

import httpx
import pytest

from catalog.vendors.anthropic import AnthropicAdapter
from catalog.vendors.litellm_source import LiteLLMCostMapAdapter
from catalog.vendors.openai import OpenAIAdapter
from catalog.vendors.openrouter import OpenRouterAdapter
from catalog.vendors.statuspage import StatuspageAdapter
from core.http import VendorError, retry_after_seconds
from fakevendor.server import RETRY_AFTER_SECONDS
from tests.catalog.jobs_helpers import fake_vendor, free_port  # noqa: F401 - fixture

KEY_ENV = "TEST_VENDOR_KEY"


def call(make, method: str, *args, timeout: float = 2.0):
    with httpx.Client(timeout=timeout) as client:
        return getattr(make(client), method)(*args)


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-test")


def test_openai_list_sends_the_bearer_key_from_the_named_variable(fake_vendor, key):
    ids, latency, problems = call(
        lambda c: OpenAIAdapter(c, base_url=f"{fake_vendor.url}/openai/v1", api_key_env=KEY_ENV),
        "list_model_ids",
    )
    assert len(ids) == 20 and problems == []
    assert all(not i.startswith("claude") for i in ids)
    assert latency >= 0


def test_openai_list_without_a_key_is_a_permanent_401(fake_vendor, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(VendorError) as failure:
        call(
            lambda c: OpenAIAdapter(
                c, base_url=f"{fake_vendor.url}/openai/v1", api_key_env=KEY_ENV
            ),
            "list_model_ids",
        )
    assert failure.value.http_status == 401
    assert failure.value.permanent


def test_anthropic_list_follows_every_page_with_its_headers(fake_vendor, key, monkeypatch):
    monkeypatch.setattr("catalog.vendors.anthropic.PAGE_SIZE", 3)
    ids, _, _ = call(
        lambda c: AnthropicAdapter(
            c, base_url=f"{fake_vendor.url}/anthropic/v1", api_key_env=KEY_ENV
        ),
        "list_model_ids",
    )
    assert len(ids) == 20  # 7 pages of at most 3
    assert "claude-sonnet-4-5" in ids


def test_openrouter_prices_are_per_million_tokens_and_junk_is_named(fake_vendor):
    quotes, problems = call(
        lambda c: OpenRouterAdapter(c, base_url=f"{fake_vendor.url}/openrouter/api/v1"),
        "price_quotes",
    )
    assert problems == []
    key = next(k for k, v in fake_vendor.cost_map.items() if v["litellm_provider"] == "openai")
    entry, quote = fake_vendor.cost_map[key], quotes[f"openai/{key}"]
    million = Decimal(1_000_000)
    assert quote.input_price == Decimal(str(entry["input_cost_per_token"])) * million
    assert quote.output_price == Decimal(str(entry["output_cost_per_token"])) * million
    assert "must not be negative" in quotes["modelshelf/auto-router"].problem
    assert quotes["modelshelf/tiny-chat:free"].input_price == Decimal(0)
    assert str(quotes["modelshelf/long-context"].deprecation_date) == "2027-06-30"

    junk = call(
        lambda c: OpenRouterAdapter(c, base_url=f"{fake_vendor.url}/_fault/junk/openrouter/api/v1"),
        "price_quotes",
    )
    assert sum(1 for q in junk.quotes.values() if q.problem) == 5  # 4 spoiled + auto-router


def test_openrouter_endpoint_health_reports_providers_and_missing_ones(fake_vendor):
    health = call(
        lambda c: OpenRouterAdapter(c, base_url=f"{fake_vendor.url}/openrouter/api/v1"),
        "endpoint_health",
        "modelshelf/long-context",
    )
    assert health.status == "up"
    empty = call(
        lambda c: OpenRouterAdapter(
            c, base_url=f"{fake_vendor.url}/_fault/empty/openrouter/api/v1"
        ),
        "endpoint_health",
        "modelshelf/long-context",
    )
    assert (empty.status, empty.detail) == ("down", "no provider serves it")


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ("", "up"),
        ("degraded_performance", "degraded"),
        ("partial_outage", "degraded"),
        ("major_outage", "down"),
        ("full_outage", "down"),  # incident.io's word for it
    ],
)
def test_status_page_components_decide_the_vendor_status(fake_vendor, fault, status):
    prefix = f"/_fault/{fault}" if fault else ""
    result, description = call(
        lambda c: StatuspageAdapter(c, base_url=f"{fake_vendor.url}{prefix}/status/acme"),
        "vendor_status",
    )
    assert result == status
    assert description


def test_litellm_cost_map_fetch_uses_the_shared_parser_and_flags_each_junk_entry(fake_vendor):
    from fakevendor import data

    quotes, _ = call(
        lambda c: LiteLLMCostMapAdapter(
            c, base_url=f"{fake_vendor.url}/_fault/junk/litellm/model_prices.json"
        ),
        "price_quotes",
    )
    spoiled = data.junk_keys(fake_vendor.cost_map)
    problems = [quotes[k].problem for k in spoiled]
    assert "must be a number" in problems[0]
    assert "must be finite" in problems[1]
    assert "must not be negative" in problems[2]
    assert problems[3] == ""  # a 1000× jump parses; only the sync knows the old price
    assert (quotes[spoiled[4]].input_price, quotes[spoiled[4]].output_price) == (None, None)


@pytest.mark.parametrize(
    ("fault", "http_status", "permanent"),
    [
        ("401", 401, True),
        ("404", 404, True),
        ("429", 429, False),
        ("500", 500, False),
        ("malformed", 200, True),
        ("timeout", None, False),
    ],
)
def test_every_failure_says_whether_a_retry_can_help(fake_vendor, fault, http_status, permanent):
    url = f"{fake_vendor.url}/_fault/{fault}/litellm/model_prices.json"
    with pytest.raises(VendorError) as failure:
        call(lambda c: LiteLLMCostMapAdapter(c, base_url=url), "price_quotes", timeout=0.5)
    assert (failure.value.http_status, failure.value.permanent) == (http_status, permanent)
    if fault == "429":
        assert failure.value.retry_after == RETRY_AFTER_SECONDS


def test_a_refused_connection_is_transient():
    url = f"http://127.0.0.1:{free_port()}/litellm/model_prices.json"
    with pytest.raises(VendorError) as failure:
        call(lambda c: LiteLLMCostMapAdapter(c, base_url=url), "price_quotes")
    assert not failure.value.permanent
    assert "cannot connect" in str(failure.value)


def test_a_fault_with_a_count_heals_after_that_many_calls(fake_vendor):
    url = f"{fake_vendor.url}/_fault/500:1/litellm/model_prices.json"
    with pytest.raises(VendorError):
        call(lambda c: LiteLLMCostMapAdapter(c, base_url=url), "price_quotes")
    assert call(lambda c: LiteLLMCostMapAdapter(c, base_url=url), "price_quotes")


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("inf", 60),
        ("1e999", 60),
        ("-inf", 0),
        ("nan", None),
        ("86400", 60),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 60),
        ("-5", 0),
    ],
)
def test_retry_after_is_clamped_below_the_visibility_timeout(settings, header, seconds):
    settings.VENDOR_RETRY_AFTER_MAX = 60
    assert retry_after_seconds(header) == seconds


@pytest.mark.parametrize("tokens", [10**400, float("inf"), float("nan"), 2**31, -1, "128000"])
def test_an_absurd_token_limit_is_a_cost_map_error_naming_the_entry(tokens):
    """Found by make fuzz: a 400-digit integer overflowed a float check in the import parser."""
    from catalog.vendors.litellm import CostMapError, parse_cost_map

    entry = {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": tokens}
    with pytest.raises(CostMapError, match="'gpt-x'.*max_input_tokens"):
        list(parse_cost_map({"gpt-x": entry}))

# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Property-based tests: every adapter and price-source parser, fed generated JSON in and
around its vendor's format (wrong types, huge and tiny numbers, NaN/Infinity, strings for
numbers, lists for ids, deep nesting, missing keys, duplicates), returns its items plus
per-item problems and raises nothing but VendorError (the import parser: CostMapError). A whole
job run against the fake vendor serving a generated answer always finishes.

`make test` runs the short profile; `make fuzz` sets HYPOTHESIS_PROFILE=fuzz (20,000 examples
per adapter).
"""

import json
import math
import os
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.choices import AvailabilityStatus
from catalog.models import AIModel
from catalog.services.availability import availability_check
from catalog.services.prices import prices_sync
from catalog.vendors.anthropic import AnthropicAdapter
from catalog.vendors.base import ModelList, PriceList, PriceQuote
from catalog.vendors.litellm import CostMapError, parse_cost_map
from catalog.vendors.litellm_source import LiteLLMCostMapAdapter
from catalog.vendors.openai import OpenAIAdapter
from catalog.vendors.openrouter import OpenRouterAdapter
from catalog.vendors.statuspage import StatuspageAdapter
from core.choices import JobKind
from core.http import VendorError
from core.models import JobRun
from tests.catalog.jobs_helpers import catalog_on_fake, fake_vendor  # noqa: F401 - fixtures

HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "vendors-fast", max_examples=40, deadline=None, database=None, suppress_health_check=HEALTH
)
settings.register_profile(
    "vendors-fuzz", max_examples=20_000, deadline=None, database=None, suppress_health_check=HEALTH
)
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
ADAPTER = settings.get_profile("vendors-fuzz" if FUZZ else "vendors-fast")
# A whole job run costs ~0.1 s of HTTP and SQL: fewer examples, the same generators.
JOB = settings(
    ADAPTER,
    max_examples=300 if FUZZ else 4,
    suppress_health_check=[*HEALTH, HealthCheck.function_scoped_fixture],
)
PRICE_STATUSES = {s.value for s in AvailabilityStatus}

# --- generated JSON -------------------------------------------------------------------------
NUMBER_WORDS = ["1e30", "1e-30", "NaN", "Infinity", "-1", "0", "0.000002", "1e999", "", "  3 ",
                "twelve dollars", "0x10", "1_000", "٣", "-0", "1e-999999999", "9" * 40]  # fmt: skip
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1e-3),
    st.decimals(allow_nan=False, allow_infinity=False, places=12).map(float),
)
scalars = st.one_of(
    st.none(), st.booleans(), numbers, st.text(max_size=12), st.sampled_from(NUMBER_WORDS)
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)
prices = st.one_of(numbers, st.sampled_from(NUMBER_WORDS), anything)
ids = st.one_of(
    st.sampled_from(["gpt-4o", "claude-sonnet-4-5", "a/b:free", ""]), st.text(max_size=10), anything
)
dates = st.one_of(
    st.sampled_from(["2027-06-30", "2027-13-01", "0000-00-00", "9999-12-31T23:59:59Z"]), anything
)


def maybe(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The vendor's shape most of the time, anything at all sometimes."""
    return st.one_of(shape, shape, shape, anything)


def listing(
    item: st.SearchStrategy[Any], **extra: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """{data: [items…], …} with duplicates: the same items drawn twice now and then."""
    items = st.lists(maybe(item), max_size=8).flatmap(lambda xs: st.just(xs) | st.just(xs + xs[:2]))
    return maybe(st.fixed_dictionaries({"data": items}, optional=extra))


model_item = st.fixed_dictionaries(
    {"id": ids}, optional={"object": anything, "created": numbers, "owned_by": anything}
)
openai_bodies = listing(model_item, object=anything)
anthropic_bodies = listing(model_item, has_more=st.booleans() | anything, last_id=ids)
openrouter_item = st.fixed_dictionaries(
    {"id": ids},
    optional={
        "pricing": maybe(
            st.fixed_dictionaries(
                {}, optional={"prompt": prices, "completion": prices, "image": prices}
            )
        ),
        "expiration_date": dates,
        "context_length": numbers,
    },
)
openrouter_bodies = listing(openrouter_item)
endpoint = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from([0, -1, 1]) | anything,
        "uptime_last_30m": numbers | anything,
    },
)
endpoint_bodies = maybe(
    st.fixed_dictionaries(
        {
            "data": maybe(
                st.fixed_dictionaries({"endpoints": maybe(st.lists(maybe(endpoint), max_size=6))})
            )
        }
    )
)
COST_FIELDS = ["input_cost_per_token", "output_cost_per_token", "input_cost_per_query",
               "input_cost_per_image", "output_cost_per_image", "input_cost_per_second",
               "ocr_cost_per_page", "input_cost_per_character"]  # fmt: skip
cost_entry = st.fixed_dictionaries(
    {"litellm_provider": maybe(st.sampled_from(["openai", "anthropic", "x"]))},
    optional={
        **{name: prices for name in COST_FIELDS},
        "mode": maybe(st.sampled_from(["chat", "embedding", "image_generation", "ocr", "?"])),
        "deprecation_date": dates,
        "alias_of": ids,
        "max_input_tokens": numbers | anything,
        "max_output_tokens": numbers | anything,
        "supported_modalities": anything,
        "supported_regions": anything,
        "successor_model": anything,
        "source": anything,
        "supports_reasoning": anything,
    },
)
cost_keys = st.one_of(
    st.sampled_from(["gpt-4o", "sample_spec", "claude-sonnet-4-5", "x"]), st.text(max_size=8)
)
cost_maps = maybe(st.dictionaries(cost_keys, maybe(cost_entry), max_size=8))
component = st.fixed_dictionaries(
    {},
    optional={
        "status": maybe(st.sampled_from(["operational", "major_outage", "full_outage"])),
        "name": anything,
    },
)
status_bodies = maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "status": maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "indicator": maybe(st.sampled_from(["none", "major"])),
                        "description": anything,
                    },
                )
            ),
            "components": maybe(st.lists(maybe(component), max_size=5)),
        },
    )
)

# Around the format: what a broken or hostile server sends instead of the JSON asked for.
RAW = [b"", b"null", b"[" * 100_000, b'{"data": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
       b'{"data": [{"id": "half', b"\xff\xfe\x00garbage", b"\xef\xbb\xbf{}", b"NaN", b"1e999",
       b'{"data": [{"id": ' + b"9" * 5_000 + b"}]}"]  # fmt: skip
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
retry_afters = st.one_of(
    st.none(),
    st.sampled_from(["inf", "-inf", "nan", "1e999", "86400", "Fri, 31 Dec 9999 23:59:59 GMT", "0"]),
    header_text,
)


def answers(bodies: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[int, bytes, str | None]]:
    """(HTTP status, body, Retry-After) mostly 200 with a generated JSON body."""
    encoded = bodies.map(lambda body: json.dumps(body).encode())
    return st.tuples(
        st.sampled_from([200] * 8 + [429, 500, 404]),
        st.one_of(encoded, encoded, encoded, st.sampled_from(RAW)),
        retry_afters,
    )


# --- the adapters over an in-process transport (only the internet is replaced) ----------------
def call(
    adapter_class: type, method: str, answer: tuple[int, bytes, str | None], *args: str
) -> Any:
    status, body, retry_after = answer
    headers = {"Retry-After": retry_after} if retry_after is not None else {}

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers)

    with httpx.Client(transport=httpx.MockTransport(respond)) as client:
        adapter = adapter_class(client, base_url="https://vendor.test/v1")
        try:
            return getattr(adapter, method)(*args)
        except VendorError as exc:
            assert exc.retry_after is None or 0 <= exc.retry_after <= 60
            return exc


def assert_model_list(result: Any) -> None:
    if isinstance(result, VendorError):
        return
    assert isinstance(result, ModelList)
    assert all(isinstance(i, str) and i for i in result.ids)
    assert all(isinstance(p, str) for p in result.problems)
    assert isinstance(result.latency_ms, int)


def assert_price(value: Decimal | None) -> None:
    assert value is None or (
        isinstance(value, Decimal) and value.is_finite() and 0 <= value < 10**12
        and value == value.quantize(Decimal("0.000001"))
    )  # fmt: skip


def assert_quote(quote: PriceQuote) -> None:
    assert isinstance(quote, PriceQuote) and isinstance(quote.key, str)
    assert_price(quote.input_price)
    assert_price(quote.output_price)
    assert isinstance(quote.problem, str) and len(quote.raw_input) <= 100
    if quote.problem:
        assert quote.input_price is None and quote.output_price is None


def assert_price_list(result: Any) -> None:
    if isinstance(result, VendorError):
        return
    assert isinstance(result, PriceList)
    for key, quote in result.quotes.items():
        assert key == quote.key
        assert_quote(quote)
    assert all(isinstance(p, str) for p in result.problems)


@ADAPTER
@given(answers(openai_bodies))
def test_openai_list_reads_any_answer_into_ids_and_problems(answer):
    assert_model_list(call(OpenAIAdapter, "list_model_ids", answer))


@ADAPTER
@given(answers(anthropic_bodies))
def test_anthropic_list_reads_any_answer_into_ids_and_problems(answer):
    assert_model_list(call(AnthropicAdapter, "list_model_ids", answer))


@ADAPTER
@given(answers(openrouter_bodies))
def test_openrouter_list_reads_any_answer_into_ids_and_problems(answer):
    assert_model_list(call(OpenRouterAdapter, "list_model_ids", answer))


@ADAPTER
@given(answers(openrouter_bodies))
def test_openrouter_prices_read_any_answer_into_quotes_and_problems(answer):
    assert_price_list(call(OpenRouterAdapter, "price_quotes", answer))


@ADAPTER
@given(answers(endpoint_bodies))
def test_openrouter_endpoints_read_any_answer_into_a_status(answer):
    result = call(OpenRouterAdapter, "endpoint_health", answer, "a/b:free")
    if not isinstance(result, VendorError):
        assert result.status in PRICE_STATUSES and isinstance(result.detail, str)


@ADAPTER
@given(answers(cost_maps))
def test_litellm_source_reads_any_answer_into_quotes_and_problems(answer):
    assert_price_list(call(LiteLLMCostMapAdapter, "price_quotes", answer))


@ADAPTER
@given(cost_maps)
def test_litellm_cost_map_import_parser_raises_only_cost_map_errors(raw):
    try:
        entries = list(parse_cost_map(raw))
    except CostMapError:
        return
    for entry in entries:
        assert_price(entry.input_price)
        assert_price(entry.output_price)
        assert entry.context_window is None or 0 < entry.context_window < 2**31


@ADAPTER
@given(answers(status_bodies))
def test_status_page_reads_any_answer_into_a_status(answer):
    result = call(StatuspageAdapter, "vendor_status", answer)
    if not isinstance(result, VendorError):
        status, description = result
        assert status in PRICE_STATUSES and isinstance(description, str)
        assert len(description) <= 200


# --- whole job runs against the fake vendor, over real HTTP on loopback -------------------------
def all_runs_finished() -> None:
    open_runs = JobRun.objects.filter(
        kind__in=[JobKind.SYNC_PRICES, JobKind.CHECK_AVAILABILITY], finished_at__isnull=True
    )
    assert not open_runs.exists()


@pytest.mark.django_db
@JOB
@given(answer=answers(cost_maps))
def test_a_price_sync_against_any_cost_map_answer_always_finishes(catalog_on_fake, answer):
    status, body, retry_after = answer
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    catalog_on_fake.answer("/litellm/model_prices.json", body, status, headers)
    result = prices_sync()
    all_runs_finished()
    assert result.retry_after is None or 0 <= result.retry_after <= 60


@pytest.mark.django_db
@JOB
@given(
    openai=answers(openai_bodies), anthropic=answers(anthropic_bodies), page=answers(status_bodies)
)
def test_an_availability_check_against_any_answers_always_finishes(
    catalog_on_fake, openai, anthropic, page
):
    for path, (status, body, retry_after) in [
        ("/openai/v1/models", openai),
        ("/anthropic/v1/models", anthropic),
        ("/status/openai/api/v2/summary.json", page),
    ]:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        catalog_on_fake.answer(path, body, status, headers)
    availability_check()
    all_runs_finished()
    statuses = set(AIModel.objects.values_list("availability_status", flat=True))
    assert statuses <= PRICE_STATUSES and not any(
        isinstance(s, float) and math.isnan(s) for s in statuses
    )

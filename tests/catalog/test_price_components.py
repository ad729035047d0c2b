# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Price components (cache reads, cache writes, a long-context tier) come from both price
sources, are ledgered with the price they belong to (one observation holds every component),
and are shown wherever the price is: API, CSV, model page."""

import copy
import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.choices import PriceFlagStatus, PriceSource
from catalog.models import AIModel, PriceFlag, PriceObservation
from catalog.models.costs import PriceComponents, TokenCounts, token_cost
from catalog.services.catalog_import import models_import_litellm
from catalog.services.prices import prices_sync
from catalog.vendors.litellm import parse_entry
from catalog.vendors.litellm_source import quotes_from_cost_map
from catalog.vendors.openrouter import quote
from tests.catalog.api_support import token_client
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    catalog_on_fake,
    fake_vendor,
)
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db

SONNET = {
    "litellm_provider": "anthropic",
    "mode": "chat",
    "input_cost_per_token": 3e-06,
    "output_cost_per_token": 1.5e-05,
    "cache_read_input_token_cost": 3e-07,
    "cache_creation_input_token_cost": 3.75e-06,
    "input_cost_per_token_above_200k_tokens": 6e-06,
    "output_cost_per_token_above_200k_tokens": 2.25e-05,
}
SONNET_PRICES = PriceComponents(
    input=Decimal("3"),
    output=Decimal("15"),
    cache_read=Decimal("0.3"),
    cache_write=Decimal("3.75"),
    long_context_threshold=200_000,
    long_context_input=Decimal("6"),
    long_context_output=Decimal("22.5"),
)


def test_a_cost_map_entry_carries_its_cache_and_long_context_prices_per_million_tokens():
    entry = parse_entry("claude-sonnet-4", SONNET)

    assert entry.components == SONNET_PRICES


def test_the_lowest_long_context_tier_of_the_map_is_the_one_kept():
    tiers = {
        **SONNET,
        "input_cost_per_token_above_128k_tokens": 4e-06,
        "output_cost_per_token_above_128k_tokens": 1.8e-05,
    }

    prices = parse_entry("gemini-like", tiers).components

    assert (prices.long_context_threshold, prices.long_context_input) == (128_000, Decimal("4"))
    assert prices.long_context_output == Decimal("18")


def test_a_component_the_map_does_not_give_stays_unknown_never_zero():
    bare = {k: v for k, v in SONNET.items() if "cache" not in k and "above" not in k}

    prices = parse_entry("plain", bare).components

    assert prices == PriceComponents(input=Decimal("3"), output=Decimal("15"))


def test_an_unreadable_cache_price_makes_the_quote_junk_not_a_crash():
    quotes = quotes_from_cost_map({"x": {**SONNET, "cache_read_input_token_cost": "1e1000002"}})

    assert "cache_read_input_token_cost" in quotes["x"].problem


def test_openrouter_cache_prices_are_read_and_an_absent_one_is_unknown():
    item = {
        "id": "anthropic/claude-sonnet-4",
        "pricing": {"prompt": "0.000003", "completion": "0.000015", "input_cache_read": "3e-7"},
    }

    prices = quote(item).components

    assert (prices.cache_read, prices.cache_write) == (Decimal("0.3"), None)


def test_import_writes_every_component_to_the_model_and_its_first_ledger_entry():
    models_import_litellm(raw={"claude-sonnet-4": SONNET})

    model = AIModel.objects.get(price_source_key="claude-sonnet-4")
    assert model.price_components == SONNET_PRICES
    assert PriceObservation.objects.get(model=model).price_components == SONNET_PRICES


def test_a_changed_cache_price_alone_is_a_price_change_with_one_ledger_entry(catalog_on_fake):
    key = next(
        k
        for k, v in sorted(catalog_on_fake.cost_map.items())
        if v.get("cache_read_input_token_cost")
    )
    model = AIModel.objects.get(price_source_key=key)
    before = model.price_components
    cost_map = copy.deepcopy(catalog_on_fake.cost_map)
    cost_map[key]["cache_read_input_token_cost"] *= 2
    catalog_on_fake.set_cost_map(cost_map)

    result = prices_sync()

    model.refresh_from_db()
    assert model.cache_read_price_per_mtok == before.cache_read * 2
    assert (model.input_price_per_mtok, model.output_price_per_mtok) == (
        before.input,
        before.output,
    )
    latest = PriceObservation.objects.filter(model=model).first()
    assert latest.price_components == model.price_components
    assert PriceObservation.objects.filter(model=model).count() == 2
    assert result.changed == 1
    assert prices_sync().changed == 0


def test_a_cache_price_above_the_bound_is_flagged_and_not_applied(catalog_on_fake, settings):
    key = next(
        k
        for k, v in sorted(catalog_on_fake.cost_map.items())
        if v.get("cache_read_input_token_cost")
    )
    model = AIModel.objects.get(price_source_key=key)
    cost_map = copy.deepcopy(catalog_on_fake.cost_map)
    cost_map[key]["cache_creation_input_token_cost"] = 0.5  # $500,000 per 1M tokens
    catalog_on_fake.set_cost_map(cost_map)

    prices_sync()

    flag = PriceFlag.objects.get(model=model)
    assert flag.status == PriceFlagStatus.OPEN
    assert "PRICE_MAX_PER_MTOK" in flag.reason
    assert AIModel.objects.get(pk=model.pk).price_components == model.price_components


def test_the_api_shows_and_ledgers_every_component_of_a_patched_price(catalog_admin):
    model = AIModelFactory(slug="sonnet", **SONNET_PRICES.as_fields())
    client = token_client(catalog_admin)

    response = client.patch(
        "/api/v1/models/sonnet/",
        {"cache_read_price_per_mtok": "0.25"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cache_read_price_per_mtok"] == "0.250000"
    assert body["cache_write_price_per_mtok"] == "3.750000"
    assert body["long_context_threshold"] == 200_000
    assert body["long_context_input_price_per_mtok"] == "6.000000"
    assert body["long_context_output_price_per_mtok"] == "22.500000"
    entry = PriceObservation.objects.get(model=model)
    assert (entry.cache_read_price_per_mtok, entry.source) == (Decimal("0.25"), PriceSource.MANUAL)
    assert entry.long_context_threshold == 200_000
    ledger = client.get("/api/v1/models/sonnet/prices/").json()["results"]
    assert ledger[0]["cache_read_price_per_mtok"] == "0.250000"


def test_a_negative_cache_price_is_a_400_naming_the_field(catalog_admin):
    AIModelFactory(slug="sonnet")

    response = token_client(catalog_admin).patch(
        "/api/v1/models/sonnet/",
        {"cache_write_price_per_mtok": "-1"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "cache_write_price_per_mtok" in response.json()


def test_the_models_csv_has_a_column_per_component():
    AIModelFactory(slug="sonnet", **SONNET_PRICES.as_fields())

    response = token_client(UserFactory()).get("/api/v1/models/", {"format": "csv"})

    text = b"".join(response.streaming_content).decode()
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["cache_read_price_per_mtok"] == "0.300000"
    assert row["long_context_threshold"] == "200000"


def test_the_model_page_shows_cache_prices_and_the_long_context_tier(client):
    AIModelFactory(slug="sonnet", **SONNET_PRICES.as_fields())
    client.force_login(UserFactory())

    page = client.get(reverse("catalog:model_detail", args=["sonnet"])).content.decode()

    assert "Cache read" in page and "$0.30" in page
    assert "Above 200k tokens" in page


def test_cache_reads_are_priced_at_the_cache_read_rate_not_the_input_rate():
    tokens = TokenCounts(input=0, output=0, cache_read=1_000_000)

    assert token_cost(SONNET_PRICES, tokens) == Decimal("0.3")
    assert token_cost(PriceComponents(input=Decimal("3"), output=Decimal("15")), tokens) is None

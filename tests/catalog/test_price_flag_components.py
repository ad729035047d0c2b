# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Price flags cover every component the sync ledgers: a cache or long-context price that drops
to 0 or jumps over 10× waits for a catalog admin like the input price does, and accepting the
flag applies (and ledgers) every component it offered."""

import copy

import pytest

from catalog.choices import PriceFlagStatus
from catalog.models import AIModel, PriceFlag, PriceObservation
from catalog.services.prices import price_flag_accept, price_flags_dismiss, prices_sync
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    catalog_on_fake,
    fake_vendor,
)

pytestmark = pytest.mark.django_db


def cached_model(fake, cost: str) -> tuple[str, AIModel]:
    """The first model of the fake's map with this cost (`cache_read_input_token_cost`…)."""
    key = next(k for k, v in sorted(fake.cost_map.items()) if v.get(cost))
    return key, AIModel.objects.get(price_source_key=key)


def serve(fake, key: str, **costs: float) -> None:
    served = copy.deepcopy(fake.cost_map)
    served[key] = {**served[key], **costs}
    fake.set_cost_map(served)


def test_a_cache_read_price_jumping_over_10x_is_flagged_not_applied(catalog_on_fake):
    key, model = cached_model(catalog_on_fake, "cache_read_input_token_cost")
    before = model.price_components
    cost = catalog_on_fake.cost_map[key]["cache_read_input_token_cost"]
    serve(catalog_on_fake, key, cache_read_input_token_cost=cost * 100)

    result = prices_sync()

    assert (result.changed, result.flagged) == (0, 1)
    flag = PriceFlag.objects.get(model=model)
    assert flag.reason.startswith("jump over 10×") and flag.reason.endswith("(cache read)")
    assert flag.cache_read_price_per_mtok == before.cache_read * 100
    assert AIModel.objects.get(pk=model.pk).price_components == before
    assert prices_sync().flagged == 0  # the same offer is one flag, however many syncs see it


def test_a_cache_write_price_dropping_to_zero_is_flagged_not_applied(catalog_on_fake):
    key, model = cached_model(catalog_on_fake, "cache_creation_input_token_cost")
    serve(catalog_on_fake, key, cache_creation_input_token_cost=0)

    assert prices_sync().flagged == 1

    flag = PriceFlag.objects.get(model=model)
    assert flag.reason.startswith("drop to 0 from") and flag.reason.endswith("(cache write)")
    assert AIModel.objects.get(pk=model.pk).cache_write_price_per_mtok == (
        model.cache_write_price_per_mtok
    )


def test_a_long_context_price_jump_is_flagged(catalog_on_fake):
    key, model = cached_model(catalog_on_fake, "cache_read_input_token_cost")
    tier = {"input_cost_per_token_above_200k_tokens": 6e-06}
    serve(catalog_on_fake, key, **tier, output_cost_per_token_above_200k_tokens=2e-05)
    assert prices_sync().changed == 1  # a tier where none was known: news, not junk
    serve(catalog_on_fake, key, **tier, output_cost_per_token_above_200k_tokens=4e-04)

    assert prices_sync().flagged == 1
    assert PriceFlag.objects.get(model=model).reason.endswith("(long-context output)")


def test_accepting_a_flag_applies_and_ledgers_every_component_it_offered(
    catalog_on_fake, catalog_admin
):
    key, model = cached_model(catalog_on_fake, "cache_read_input_token_cost")
    cost = catalog_on_fake.cost_map[key]["cache_read_input_token_cost"]
    serve(catalog_on_fake, key, cache_read_input_token_cost=cost * 100)
    prices_sync()
    flag = PriceFlag.objects.get(model=model)

    price_flag_accept(flag=flag, by=catalog_admin)

    model.refresh_from_db()
    assert model.price_components == flag.price_components
    assert model.cache_read_price_per_mtok == flag.cache_read_price_per_mtok
    latest = PriceObservation.objects.filter(model=model).first()
    assert latest.price_components == flag.price_components
    assert prices_sync().changed == 0  # the source and the catalog now agree


def test_a_dismissed_cache_price_does_not_hide_a_different_one(catalog_on_fake, catalog_admin):
    key, model = cached_model(catalog_on_fake, "cache_read_input_token_cost")
    cost = catalog_on_fake.cost_map[key]["cache_read_input_token_cost"]
    serve(catalog_on_fake, key, cache_read_input_token_cost=cost * 100)
    prices_sync()
    price_flags_dismiss(flags=PriceFlag.objects.all(), by=catalog_admin)

    serve(catalog_on_fake, key, cache_read_input_token_cost=cost * 1000)

    assert prices_sync().flagged == 1  # same input and output, another cache-read price
    offered = PriceFlag.objects.get(model=model, status=PriceFlagStatus.OPEN)
    assert "cache read" in offered.value

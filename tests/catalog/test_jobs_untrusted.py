# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Vendor answers are untrusted input (DESIGN.md "Truth rules (second wave)"): a hostile value
is a recorded problem for its one item, the rest is applied, and every run finishes."""

import copy
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.choices import PriceUnit
from catalog.models import AIModel, PriceFlag, PriceObservation
from catalog.services.availability import availability_check
from catalog.services.prices import price_flags_dismiss, prices_sync
from catalog.tasks.jobs import sync_prices
from core.choices import JobKind
from core.models import JobRun
from core.retries import retry_countdown
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    catalog_on_fake,
    fake_vendor,
    repriced,
)

pytestmark = pytest.mark.django_db
COST_MAP = "/litellm/model_prices.json"


def keys_of(cost_map, n):
    return sorted(cost_map)[:n]


def price_of(key):
    model = AIModel.objects.get(price_source_key=key)
    return model.input_price_per_mtok, model.output_price_per_mtok


def serve_with(fake, key, **fields):
    """The fake's cost map with one entry's fields replaced, the others repriced by 1.1."""
    others = [k for k in keys_of(fake.cost_map, 4) if k != key]
    served = repriced(fake.cost_map, others, 1.1)
    served[key] = {**served[key], **fields}
    fake.set_cost_map(served)
    return others


@pytest.mark.parametrize(
    "price", ["1e30", 1e30, 1e7, "1e999999999", "-0", 10**400, "9" * 40, " 1e2 ", "0x10"]
)
def test_a_hostile_price_is_that_models_problem_and_the_rest_is_applied(catalog_on_fake, price):
    key = keys_of(catalog_on_fake.cost_map, 1)[0]
    before = price_of(key)
    others = serve_with(catalog_on_fake, key, input_cost_per_token=price)

    result = prices_sync()

    run = JobRun.objects.get(kind=JobKind.SYNC_PRICES)
    assert run.finished_at is not None and run.errors == []
    assert result.changed == len(others)
    if price in ("-0", " 1e2 "):  # readable after all: -0 is 0 (a drop), 100/token is junk
        assert result.flagged == 1
    else:
        flag = PriceFlag.objects.get(model__price_source_key=key)
        assert "input_cost_per_token" in flag.reason and result.flagged == 1
    assert price_of(key) == before


def test_a_price_too_large_for_the_database_is_junk_never_an_error(catalog_on_fake):
    """1e7 USD per token is 1e13 per million: past numeric(18, 6) on PostgreSQL."""
    key = keys_of(catalog_on_fake.cost_map, 1)[0]
    serve_with(catalog_on_fake, key, input_cost_per_token=1e7)
    prices_sync()
    flag = PriceFlag.objects.get(model__price_source_key=key)
    assert "too large" in flag.reason and flag.input_price_per_mtok is None
    assert flag.raw_input == "10000000.0"


def test_a_price_above_the_configured_maximum_is_flagged_not_applied(catalog_on_fake, settings):
    settings.PRICE_MAX_PER_MTOK = 1000
    key = keys_of(catalog_on_fake.cost_map, 1)[0]
    before = price_of(key)
    serve_with(catalog_on_fake, key, input_cost_per_token=0.002)  # $2000 per 1M tokens
    assert prices_sync().flagged == 1
    flag = PriceFlag.objects.get(model__price_source_key=key)
    assert flag.reason == "above PRICE_MAX_PER_MTOK (1000): 2000"
    assert flag.input_price_per_mtok == Decimal(2000) and flag.acceptable
    assert price_of(key) == before


def test_a_drop_from_a_known_price_to_zero_is_flagged_not_applied(catalog_on_fake):
    key = keys_of(catalog_on_fake.cost_map, 1)[0]
    before = price_of(key)
    serve_with(catalog_on_fake, key, output_cost_per_token=0)
    assert prices_sync().flagged == 1
    assert PriceFlag.objects.get(model__price_source_key=key).reason.startswith("drop to 0 from")
    assert price_of(key) == before


def test_per_query_flags_are_told_apart_by_their_value_and_counted_only_when_written(
    catalog_on_fake, catalog_admin
):
    key = keys_of(catalog_on_fake.cost_map, 1)[0]
    AIModel.objects.filter(price_source_key=key).update(
        price_unit=PriceUnit.PER_QUERY,
        input_price_per_mtok=Decimal("0.01"),
        output_price_per_mtok=None,
    )
    served = copy.deepcopy(catalog_on_fake.cost_map)
    served[key] = {"litellm_provider": served[key]["litellm_provider"], "mode": "chat",
                   "input_cost_per_query": 5}  # fmt: skip
    catalog_on_fake.set_cost_map(served)
    assert prices_sync().flagged == 1  # a 500× jump
    first = PriceFlag.objects.get()
    assert first.value == "5 / - per_query" and first.raw_input == "5"
    price_flags_dismiss(flags=PriceFlag.objects.all(), by=catalog_admin)
    assert prices_sync().flagged == 0  # the dismissed value is not raised again…

    served[key]["input_cost_per_query"] = 9
    catalog_on_fake.set_cost_map(served)
    result = prices_sync()
    assert result.flagged == 1  # …but another junk value is
    assert PriceFlag.objects.filter(value="9 / - per_query", status="open").exists()
    assert sum(JobRun.objects.values_list("flagged", flat=True)) == PriceFlag.objects.count()


@pytest.mark.parametrize("bad_id", [["a", "list"], None, 42, 1e999, {"nested": {"id": 1}}, ""])
@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_a_list_item_without_a_string_id_is_a_problem_and_the_rest_is_checked(
    catalog_on_fake, vendor, bad_id
):
    ids = list(
        AIModel.objects.filter(vendor__slug=vendor).values_list("vendor_model_id", flat=True)
    )
    items = [{"id": i, "type": "model"} for i in ids] + [{"id": bad_id}, "just a string", None]
    body = {"data": items, "has_more": False, "object": "list"}
    catalog_on_fake.answer(f"/{vendor}/v1/models", json.dumps(body).encode())

    availability_check()

    assert set(AIModel.objects.filter(vendor__slug=vendor).values_list(
        "availability_status", flat=True)) == {"up"}  # fmt: skip
    run = JobRun.objects.get(vendor__slug=vendor)
    assert run.finished_at is not None
    assert len(run.errors) == 3 and all("no string id" in e["error"] for e in run.errors)


@pytest.mark.parametrize("header", ["inf", "1e999", "Fri, 31 Dec 9999 23:59:59 GMT", "86400"])
def test_a_huge_retry_after_is_clamped_below_the_visibility_timeout(
    catalog_on_fake, settings, header
):
    settings.VENDOR_RETRY_AFTER_MAX = 60
    catalog_on_fake.answer(COST_MAP, b"{}", 429, {"Retry-After": header})

    result = prices_sync()

    assert result.retry_vendors and result.retry_after == 60
    assert retry_countdown(sync_prices, result.retry_after) == 60
    assert JobRun.objects.get(kind=JobKind.SYNC_PRICES).finished_at is not None


def test_the_retry_countdown_is_celerys_jittered_backoff_but_never_past_the_maximum(settings):
    settings.VENDOR_RETRY_AFTER_MAX = 60
    countdowns = {retry_countdown(sync_prices, None) for _ in range(50)}
    assert countdowns <= {0.0, 1.0, 2.0} and len(countdowns) > 1  # full jitter on 2 s
    assert retry_countdown(sync_prices, 7.5) >= 7.5
    assert retry_countdown(sync_prices, float("inf")) == 60


@pytest.mark.parametrize(
    ("kind", "run_job"),
    [(JobKind.SYNC_PRICES, prices_sync), (JobKind.CHECK_AVAILABILITY, availability_check)],
)
def test_a_run_left_open_by_a_killed_worker_is_closed_as_interrupted_by_the_next(
    catalog_on_fake, settings, kind, run_job
):
    now = timezone.now()
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    dead = JobRun.objects.create(kind=kind, started_at=now - limit - timedelta(seconds=1))
    running = JobRun.objects.create(kind=kind, started_at=now - limit + timedelta(seconds=30))
    other = JobKind.CHECK_AVAILABILITY if kind == JobKind.SYNC_PRICES else JobKind.SYNC_PRICES
    other_kind = JobRun.objects.create(kind=other, started_at=dead.started_at)

    run_job()

    dead.refresh_from_db(), running.refresh_from_db(), other_kind.refresh_from_db()
    assert dead.finished_at is not None and "interrupted" in dead.errors[0]["error"]
    assert running.finished_at is None and other_kind.finished_at is None
    assert not JobRun.objects.filter(kind=kind, finished_at__isnull=True).exclude(pk=running.pk)


def test_a_hostile_answer_changes_no_ledger(catalog_on_fake):
    catalog_on_fake.answer(COST_MAP, b'{"a": {"input_cost_per_token": NaN}, "b": [1e999]}')
    observations = PriceObservation.objects.count()
    result = prices_sync()
    assert result.changed == 0 and PriceObservation.objects.count() == observations
    assert JobRun.objects.get(kind=JobKind.SYNC_PRICES).finished_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keys_old_flags_on_their_value_and_marks_unmonitored_models():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("catalog", "0009_adoption_delisted_notified_at")]
    after = [("catalog", "0010_vendor_input_truth")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        vendors, models = old.get_model("catalog", "Vendor"), old.get_model("catalog", "AIModel")
        silent = vendors.objects.create(name="Silent", slug="silent")
        listed = vendors.objects.create(
            name="Listed", slug="listed", api_kind="openai", api_base_url="https://x.test/v1"
        )
        quiet = models.objects.create(vendor=silent, name="Q", slug="q", vendor_model_id="q")
        models.objects.create(vendor=listed, name="L", slug="l", vendor_model_id="l")
        run = old.get_model("catalog", "JobRun").objects.create(
            kind="sync_prices", started_at=timezone.now()
        )
        old.get_model("catalog", "PriceFlag").objects.create(
            job_run=run, model=quiet, reason="jump", source="litellm",
            input_price_per_mtok=Decimal("5"), price_unit="per_query", created_at=timezone.now(),
        )  # fmt: skip

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        statuses = new.get_model("catalog", "AIModel").objects.values_list(
            "slug", "availability_status"
        )
        assert dict(statuses) == {"q": "not_monitored", "l": "unknown"}
        assert new.get_model("catalog", "PriceFlag").objects.get().value == "5 / - per_query"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

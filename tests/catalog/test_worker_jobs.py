# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""The vendor jobs in a real Celery worker process on Redis and PostgreSQL, against the fake
vendor over HTTP: exactly-once price changes, every fault recorded and harmless, and a worker
killed with SIGKILL in the middle of a large sync."""

import time
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from kombu import Connection

from catalog.models import AIModel, PriceFlag, PriceObservation, Vendor
from catalog.services.catalog_import import models_import_litellm
from catalog.services.fake_vendor_demo import vendors_point_at_fake
from catalog.tasks.jobs import check_availability, sync_prices
from catalog.vendors.litellm_source import quotes_from_cost_map
from core.choices import JobKind
from core.models import JobRun
from fakevendor import data
from fakevendor.server import RETRY_AFTER_SECONDS, FakeVendor
from modelshelf.celery import app as celery_app
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    PrivateRedis,
    Worker,
    catalog_on_fake,
    fake_vendor,
    free_port,
    repriced,
    requires_real_servers,
    requires_redis_broker,
    wait_for,
    worker,
)


def finished_syncs() -> list[JobRun]:
    return list(
        JobRun.objects.filter(kind=JobKind.SYNC_PRICES, finished_at__isnull=False).order_by(
            "started_at", "id"
        )
    )


def wait_syncs(count: int, timeout: float = 30) -> list[JobRun]:
    return wait_for(
        lambda: (runs := finished_syncs()) and len(runs) >= count and runs,
        timeout=timeout,
        what=f"{count} finished price sync(s)",
    )


def prices() -> dict[str, tuple[Decimal | None, Decimal | None]]:
    return {
        key: (inp, out)
        for key, inp, out in AIModel.objects.values_list(
            "price_source_key", "input_price_per_mtok", "output_price_per_mtok"
        )
    }


def expected_after(served: dict) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    quotes = quotes_from_cost_map(served)
    return {key: (quotes[key].input_price, quotes[key].output_price) for key in prices()}


def test_worker_settings_never_lose_a_task():
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert conf.task_soft_time_limit < conf.task_time_limit < visibility
    assert settings.AVAILABILITY_VENDOR_TIMEOUT_SECONDS < conf.task_soft_time_limit


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_applies_changed_prices_exactly_once(catalog_on_fake, worker):
    keys = sorted(catalog_on_fake.cost_map)[:7]
    served = repriced(catalog_on_fake.cost_map, keys, 1.1)
    catalog_on_fake.set_cost_map(served)
    observations = PriceObservation.objects.count()
    worker()

    sync_prices.delay()
    (run,) = wait_syncs(1)
    assert (run.checked, run.changed, run.flagged, run.errors) == (40, 7, 0, [])
    assert prices() == expected_after(served)
    assert PriceObservation.objects.count() == observations + 7

    sync_prices.delay()
    second = wait_syncs(2)[1]
    assert (second.changed, second.flagged) == (0, 0)
    assert PriceObservation.objects.count() == observations + 7


PERMANENT = ["401", "404", "malformed"]
HEALS = ["429:1", "500:1", "timeout:1"]


@pytest.mark.parametrize("fault", PERMANENT + HEALS)
@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_fault_is_recorded_and_applies_nothing_wrong(catalog_on_fake, worker, fault):
    keys = sorted(catalog_on_fake.cost_map)[:5]
    served = repriced(catalog_on_fake.cost_map, keys, 1.5)
    catalog_on_fake.set_cost_map(served)
    before, observations = prices(), PriceObservation.objects.count()
    Vendor.objects.update(
        price_source_url=f"{catalog_on_fake.url}/_fault/{fault}/litellm/model_prices.json"
    )
    worker()
    sync_prices.delay()

    if fault in PERMANENT:
        (run,) = wait_syncs(1)
        time.sleep(2.5)  # a permanent failure is not retried
        assert len(finished_syncs()) == 1
        assert run.errors[0]["permanent"] is True and run.changed == 0
        assert prices() == before
        assert PriceObservation.objects.count() == observations
        return
    failed, healed = wait_syncs(2)
    assert failed.errors[0]["permanent"] is False and failed.changed == 0
    assert healed.errors == [] and healed.changed == 5
    if fault.startswith("429"):
        assert failed.errors[0]["http_status"] == 429
        gap = (healed.started_at - failed.finished_at).total_seconds()
        assert gap >= RETRY_AFTER_SECONDS - 0.1  # Retry-After honoured over a shorter backoff
    assert prices() == expected_after(served)
    assert PriceObservation.objects.count() == observations + 5


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_connection_is_recorded_and_retried_without_changes(catalog_on_fake, worker):
    before = prices()
    Vendor.objects.update(price_source_url=f"http://127.0.0.1:{free_port()}/map.json")
    worker()
    sync_prices.delay()
    # Refused again and again: a jittered backoff may fit a third try before the poll looks.
    first, retried = wait_syncs(2, timeout=20)[:2]
    assert (
        "cannot connect" in first.errors[0]["error"]
        and "cannot connect" in retried.errors[0]["error"]
    )
    assert prices() == before


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_junk_prices_from_a_real_worker_are_flagged_not_applied(catalog_on_fake, worker):
    spoiled = data.junk_keys(catalog_on_fake.cost_map)
    before = prices()
    Vendor.objects.update(
        price_source_url=f"{catalog_on_fake.url}/_fault/junk/litellm/model_prices.json"
    )
    worker()
    sync_prices.delay()
    (run,) = wait_syncs(1)
    assert (run.flagged, run.changed) == (5, 0)
    assert set(PriceFlag.objects.values_list("model__price_source_key", flat=True)) == set(spoiled)
    assert prices() == before


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_checks_availability(catalog_on_fake, worker):
    worker()
    check_availability.delay()
    wait_for(
        lambda: (
            JobRun.objects.filter(
                kind=JobKind.CHECK_AVAILABILITY, finished_at__isnull=False
            ).count()
            == 2
        ),
        timeout=30,
        what="two vendor availability runs",
    )
    assert set(AIModel.objects.values_list("availability_status", flat=True)) == {"up"}


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_drill_kill_9_mid_sync_then_restart_applies_every_change_exactly_once(worker):
    full = data.load_cost_map()
    models_import_litellm(raw=full)
    server = FakeVendor(cost_map=full, price_drift=1.0, seed=5).start()
    try:
        vendors_point_at_fake(url=server.url)
        served_prices = expected_after(server.cost_map)
        changes = {
            k for k, v in prices().items() if v != served_prices[k] and any(served_prices[k])
        }
        assert len(changes) > 3000
        started = timezone.now()
        new_observations = PriceObservation.objects.filter(observed_at__gte=started)

        first = worker(PRICE_SYNC_BATCH_SIZE="25")
        sent_at = time.monotonic()
        sync_prices.delay()
        wait_for(lambda: new_observations.exists(), timeout=30, what="the sync to start writing")
        first.kill9()
        written_at_kill = new_observations.count()
        assert 0 < written_at_kill < len(changes), "the kill must land mid-sync"

        # Redis hands the unacknowledged task to the next worker once its visibility timeout
        # has passed since delivery.
        time.sleep(max(0.0, sent_at + Worker.VISIBILITY_TIMEOUT + 1 - time.monotonic()))
        worker(PRICE_SYNC_BATCH_SIZE="25")
        killed, _ = wait_syncs(2, timeout=60)  # the next run closes the killed one first

        per_model = Counter(new_observations.values_list("model__price_source_key", flat=True))
        assert set(per_model) == changes
        assert max(per_model.values()) == 1  # no duplicate observation
        now = prices()
        assert all(now[k] == served_prices[k] for k in changes)
        # The killed attempt is past the task time limit: closed as interrupted, not left open.
        assert "interrupted" in killed.errors[0]["error"]
        assert not JobRun.objects.filter(kind=JobKind.SYNC_PRICES, finished_at__isnull=True)
        print(
            f"\nkill -9 drill: worker killed after {written_at_kill} of {len(changes)} changes; "
            f"after a restart all {len(changes)} applied once, no duplicate observation"
        )
    finally:
        server.stop()


@requires_real_servers
@requires_redis_broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_drill_redis_restart_mid_sync_the_worker_consumes_again_and_nothing_is_lost(
    worker, tmp_path
):
    """The broker crashes while a sync writes and a check waits in the queue; once Redis is
    back the worker reconnects by itself, the queued check runs, new work is consumed, and
    every price change lands exactly once."""
    full = data.load_cost_map()
    models_import_litellm(raw=full)
    server = FakeVendor(cost_map=full, price_drift=1.0, seed=5).start()
    broker = PrivateRedis(tmp_path).start()
    try:
        vendors_point_at_fake(url=server.url)
        served_prices = expected_after(server.cost_map)
        changes = {
            k for k, v in prices().items() if v != served_prices[k] and any(served_prices[k])
        }
        started = timezone.now()
        new_observations = PriceObservation.objects.filter(observed_at__gte=started)
        checks = JobRun.objects.filter(kind=JobKind.CHECK_AVAILABILITY, finished_at__isnull=False)

        worker(PRICE_SYNC_BATCH_SIZE="25", CELERY_BROKER_URL=broker.url)
        with Connection(broker.url) as connection:
            sync_prices.apply_async(connection=connection)
            check_availability.apply_async(connection=connection)  # waits behind the sync
        wait_for(lambda: new_observations.exists(), timeout=30, what="the sync to start writing")
        broker.crash()
        crashed_at = time.monotonic()
        assert not finished_syncs(), "the crash must land mid-sync"
        assert not checks.exists(), "the check must still be queued when Redis goes down"
        time.sleep(2)
        broker.start()
        restarted = timezone.now()

        wait_for(lambda: checks.exists(), timeout=60, what="the queued check to run after restart")
        with Connection(broker.url) as connection:
            sync_prices.apply_async(connection=connection)
        wait_for(
            lambda: any(run.started_at > restarted for run in finished_syncs()),
            timeout=60,
            what="a sync sent after the restart",
        )

        assert sum(run.changed for run in finished_syncs()) == len(changes)
        per_model = Counter(new_observations.values_list("model__price_source_key", flat=True))
        assert set(per_model) == changes
        assert max(per_model.values()) == 1  # no duplicate observation
        now = prices()
        assert all(now[k] == served_prices[k] for k in changes)
        print(
            f"\nredis drill: broker down 2 s, all work done {time.monotonic() - crashed_at:.1f} s "
            f"after the crash; {len(changes)} price changes applied once over "
            f"{len(finished_syncs())} sync runs; the queued check and a new sync both ran"
        )
    finally:
        broker.stop()
        server.stop()

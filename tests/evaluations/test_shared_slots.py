# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""The per-vendor bound on calls in flight holds across worker processes (Redis leases), a dead
holder's slots come back, and without Redis the bound falls back to one process's."""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis

from evaluations.choices import RunStatus
from evaluations.models import EvalCase, EvalRun
from evaluations.slots import LocalSlots, SharedSlots, slots_redis_url, vendor_slots
from evaluations.tasks import run_eval
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    free_port,
    requires_real_servers,
    wait_for,
    worker,
)
from tests.evaluations.conftest import demo_suite

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL", "")
requires_redis = pytest.mark.skipif(
    not REDIS_URL.startswith("redis://"), reason="needs a real Redis (REDIS_URL)"
)


def _peak_of(slot_sets: list[SharedSlots | LocalSlots], threads_each: int) -> int:
    """Most holders at once when every set's threads each hold a slot three times."""
    lock, now, peak = threading.Lock(), [0], [0]

    def call(slots: SharedSlots | LocalSlots) -> None:
        for _ in range(3):
            with slots.hold():
                with lock:
                    now[0] += 1
                    peak[0] = max(peak[0], now[0])
                time.sleep(0.02)
                with lock:
                    now[0] -= 1

    threads = [
        threading.Thread(target=call, args=(slots,))
        for slots in slot_sets
        for _ in range(threads_each)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return peak[0]


@requires_redis
def test_two_holders_of_one_vendors_slots_never_exceed_the_limit_together():
    vendor = f"test-{uuid.uuid4().hex[:8]}"
    # Two instances stand for two worker processes: each has its own in-process queue.
    first, second = (
        SharedSlots(redis.Redis.from_url(REDIS_URL), vendor, 3, lease_seconds=5) for _ in "ab"
    )
    assert _peak_of([first, second], threads_each=6) == 3
    # Per process, the same load reaches twice the limit: what the shared bound prevents.
    assert _peak_of([LocalSlots(3), LocalSlots(3)], threads_each=6) == 6


@requires_redis
def test_a_killed_holders_slots_come_back_after_the_lease():
    vendor = f"test-{uuid.uuid4().hex[:8]}"
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time, redis\n"
            "from evaluations.slots import SharedSlots\n"
            f"slots = SharedSlots(redis.Redis.from_url({REDIS_URL!r}), {vendor!r}, 2, 1)\n"
            "held = [slots.hold() for _ in range(2)]\n"
            "[h.__enter__() for h in held]\n"
            "print('holding', flush=True)\n"
            "time.sleep(60)\n"
        )],
        cwd=ROOT, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"holding\n"
        time.sleep(1.5)  # longer than the lease: the holder's renewals keep its slots
        slots = SharedSlots(redis.Redis.from_url(REDIS_URL), vendor, 2, lease_seconds=1)
        got = threading.Event()

        def take() -> None:
            with slots.hold():
                got.set()

        threading.Thread(target=take, daemon=True).start()
        assert not got.wait(0.5), "both slots are held by a live process"
        holder.kill()
        holder.wait(5)
        assert got.wait(3), "a dead holder's lease must lapse"
    finally:
        holder.kill()
        holder.wait(5)


def test_an_unreachable_redis_leaves_the_case_for_a_later_task(monkeypatch):
    from core.http import VendorError
    from evaluations import slots as slots_module
    from evaluations.services.runs import _ask

    monkeypatch.setattr(slots_module, "UNAVAILABLE_PAUSE_SECONDS", 0)
    port = free_port()  # nothing listens there
    slots = SharedSlots(redis.Redis(port=port, socket_timeout=1), "down", 2, lease_seconds=5)

    class NeverAsked:
        def ask(self, *args, **kwargs):
            raise VendorError("must not be called", permanent=True)

    case = EvalCase(messages=[{"role": "user", "content": "hi"}])
    assert _ask(NeverAsked(), slots, case, None) is None  # not a result: no error recorded


def test_without_redis_the_bound_is_per_process(settings):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://"
    assert slots_redis_url() == ""
    assert isinstance(vendor_slots(f"test-{uuid.uuid4().hex[:8]}"), LocalSlots)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/8"
    assert slots_redis_url() == "redis://127.0.0.1:6379/8"


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_running_runs_on_one_vendor_keep_its_calls_in_flight_within_the_limit(
    worker, fake, chat_models, tmp_path
):
    fake.latency_ms = 100
    suite = demo_suite("sql-from-questions")
    runs = [
        EvalRun.objects.create(suite=suite, model=chat_models[name], cases=40)
        for name in ("small", "code")  # two models of one vendor
    ]
    for _ in range(2):
        worker(EVAL_CONCURRENCY_PER_VENDOR="4")
    log = tmp_path / "worker.log"
    wait_for(lambda: log.read_text().count(" ready.") >= 2, timeout=30, what="two workers")
    for run in runs:
        run_eval.delay(run.pk)
    wait_for(
        lambda: EvalRun.objects.filter(status=RunStatus.FINISHED).count() == 2,
        timeout=60,
        what="both runs to finish",
    )
    first, second = EvalRun.objects.order_by("started_at")
    assert first.finished_at > second.started_at, "the two workers must run side by side"
    assert fake.peak_in_flight["mistral"] == 4  # per process it reaches 8
    assert (first.done, second.done) == (40, 40)

"""Eval runs: a 200-case suite on 10 models against the fake vendor at 200 ms per answer.

Wall time of the runs at the default concurrency against asking one case at a time, and the
overhead a run adds per case over the bare HTTP round trip (grading, the result row, the pool).
The fake vendor runs in its own process (`manage.py fake_vendor --latency-ms 200`).
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
from django.conf import settings
from django.db import connections

from bench.bench_jobs import fake_vendor, throwaway_database
from catalog.choices import ApiKind
from catalog.models import AIModel, Vendor
from catalog.services.fake_vendor_demo import FAKE_KEY_ENV
from evaluations.models import EvalCase, EvalResult, EvalSuite
from evaluations.services.runs import run_execute, runs_start

CASES = 200
MODELS = 10
LATENCY_MS = 200
SEQUENTIAL_SAMPLE = int(os.environ.get("BENCH_EVALS_SEQUENTIAL_SAMPLE", "25"))


def _catalog(url: str) -> tuple[EvalSuite, list[AIModel]]:
    vendor = Vendor.objects.create(
        slug="bench", name="Bench", api_kind=ApiKind.OPENAI,
        api_base_url=f"{url}/bench/v1", api_key_env=FAKE_KEY_ENV,
    )  # fmt: skip
    models = [
        AIModel.objects.create(
            vendor=vendor,
            name=f"Bench {i}",
            slug=f"bench-{i}",
            vendor_model_id=f"bench-{i}b",
            input_price_per_mtok=Decimal("1"),
            output_price_per_mtok=Decimal("2"),
        )  # fmt: skip
        for i in range(1, MODELS + 1)
    ]
    suite = EvalSuite.objects.create(slug="bench", name="Bench")
    EvalCase.objects.bulk_create(
        EvalCase(
            suite=suite,
            position=i,
            messages=[{"role": "user", "content": f"Case {i}?"}],
            expected="sure",
            grader="contains",
        )  # fmt: skip
        for i in range(1, CASES + 1)
    )
    return suite, models


def _bare_round_trip_ms(url: str, n: int) -> float:
    body = {"model": "bench-1b", "temperature": 0, "messages": [{"role": "user", "content": "x"}]}
    with httpx.Client() as client:
        start = time.perf_counter()
        for _ in range(n):
            client.post(
                f"{url}/bench/v1/chat/completions",
                json=body,
                headers={"Authorization": "Bearer k"},
            ).raise_for_status()
    return (time.perf_counter() - start) * 1000 / n


def _bare_concurrent_s(url: str, window: int) -> float:
    """The floor of one run: its 200 POSTs through `window` threads, nothing else."""
    body = {"model": "bench-1b", "temperature": 0, "messages": [{"role": "user", "content": "x"}]}
    with httpx.Client(limits=httpx.Limits(max_connections=None)) as client:

        def post(_: int) -> None:
            client.post(
                f"{url}/bench/v1/chat/completions",
                json=body,
                headers={"Authorization": "Bearer k"},
            ).raise_for_status()

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=window) as pool:
            list(pool.map(post, range(CASES)))
        return time.perf_counter() - start


def run() -> None:
    os.environ.setdefault(FAKE_KEY_ENV, "bench-key")
    window = settings.EVAL_CONCURRENCY_PER_VENDOR
    with throwaway_database(), fake_vendor("--latency-ms", str(LATENCY_MS)) as url:
        suite, models = _catalog(url)
        one_by_one = _timed(runs_start(suite=suite, models=models, enqueue=False), threads=1)
        side_by_side = _timed(runs_start(suite=suite, models=models, enqueue=False), threads=MODELS)
        assert EvalResult.objects.count() == 2 * CASES * MODELS
        bare_ms = _bare_round_trip_ms(url, SEQUENTIAL_SAMPLE)
        floor = sum(_bare_concurrent_s(url, window) for _ in range(MODELS))
    sequential = bare_ms * CASES * MODELS / 1000
    slot_rounds = -(-CASES // window)  # cases one slot asks in a run, rounded up
    ideal = slot_rounds * bare_ms * MODELS / 1000
    print(
        f"  {CASES} cases × {MODELS} models, {LATENCY_MS} ms fake latency, {window} calls in flight"
    )
    print(
        f"  one case at a time: {sequential:6.1f} s (bare round trip {bare_ms:.1f} ms × "
        f"{CASES * MODELS}, measured on {SEQUENTIAL_SAMPLE})"
    )
    print(f"  runs one after another: {one_by_one:6.2f} s  speed-up {sequential / one_by_one:.1f}×")
    print(
        f"  runs side by side (as parallel workers, one vendor bound): {side_by_side:6.2f} s  "
        f"speed-up {sequential / side_by_side:.1f}×  (target ≥ 25×)"
    )
    print(f"  floor, bare POSTs in {window} threads: {floor:6.2f} s (ideal {ideal:.2f} s)")
    extra_ms = (one_by_one - floor) * 1000
    print(
        f"  overhead over the bare round trips: {extra_ms / (CASES * MODELS):.2f} ms per case "
        f"(target ≤ 5 ms); {extra_ms / (slot_rounds * MODELS):.1f} ms per case a slot asks"
    )


def _timed(runs: list, *, threads: int) -> float:  # type: ignore[type-arg]
    """Wall time to finish `runs`, `threads` at a time (each thread its own connection)."""

    def finish(run_id: int) -> None:
        try:
            while not run_execute(run_id=run_id, budget_seconds=3600):
                pass
        finally:
            connections.close_all()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(finish, [r.pk for r in runs]))
    return time.perf_counter() - start

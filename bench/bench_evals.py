"""Eval runs: a 200-case suite on 10 models against the fake vendor at 200 ms per answer.

Wall time of the runs at the default concurrency against asking one case at a time, and the
overhead a run adds per case over the bare HTTP round trip: the run's wall time less that of
the same POSTs sent bare through as many threads, over its cases (claiming the run, loading
the cases, the slot leases, grading, the result rows, closing the run). A second figure asks
each case in one slot at 1 ms fake latency: what a case adds to its own chain of calls.
One warm-up run goes first, untimed: a worker process pays its imports and connections once.
The fake vendors run in their own processes (`manage.py fake_vendor --latency-ms 200`).
"""

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
from django.conf import settings
from django.db import connections
from django.test.utils import override_settings

from bench.bench_jobs import fake_vendor, throwaway_database
from catalog.choices import ApiKind
from catalog.models import AIModel, Vendor
from evaluations.models import EvalCase, EvalResult, EvalSuite
from evaluations.services.runs import run_execute, runs_start
from evaluations.slots import slots_redis_url
from fakevendor import FAKE_KEY_ENV

CASES = 200
MODELS = 10
LATENCY_MS = 200
SEQUENTIAL_SAMPLE = int(os.environ.get("BENCH_EVALS_SEQUENTIAL_SAMPLE", "25"))


def _catalog(url: str, slug: str = "bench") -> tuple[EvalSuite, list[AIModel]]:
    """The suite (made once) and MODELS + 1 models of one vendor; the last is for warming up."""
    vendor = Vendor.objects.create(
        slug=slug, name=slug.title(), api_kind=ApiKind.OPENAI,
        api_base_url=f"{url}/bench/v1", api_key_env=FAKE_KEY_ENV,
    )  # fmt: skip
    models = [
        AIModel.objects.create(
            vendor=vendor,
            name=f"{slug.title()} {i}",
            slug=f"{slug}-{i}",
            vendor_model_id=f"bench-{i}b",
            input_price_per_mtok=Decimal("1"),
            output_price_per_mtok=Decimal("2"),
        )  # fmt: skip
        for i in range(1, MODELS + 2)
    ]
    if suite := EvalSuite.objects.filter(slug="bench").first():
        return suite, models
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
        models, warm_up = models[:-1], models[-1]
        _timed(runs_start(suite=suite, models=[warm_up], queue=False), threads=1)
        one_by_one = _timed(runs_start(suite=suite, models=models, queue=False), threads=1)
        side_by_side = _timed(runs_start(suite=suite, models=models, queue=False), threads=MODELS)
        assert EvalResult.objects.count() == (2 * MODELS + 1) * CASES
        bare_ms = _bare_round_trip_ms(url, SEQUENTIAL_SAMPLE)
        floor = sum(_bare_concurrent_s(url, window) for _ in range(MODELS))
        with fake_vendor("--latency-ms", "1") as fast_url:
            chain_ms, chain_bare_ms = _one_slot(suite, fast_url)
    sequential = bare_ms * CASES * MODELS / 1000
    slots = "shared by every worker through Redis" if slots_redis_url() else "per process"
    print(
        f"  {CASES} cases × {MODELS} models, {LATENCY_MS} ms fake latency, {window} calls in "
        f"flight per vendor ({slots})"
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
    print(f"  the same POSTs bare, {window} threads a run, runs one after another: {floor:6.2f} s")
    extra_ms = (one_by_one - floor) * 1000
    print(
        f"  overhead per case over the bare round trip: {extra_ms / (CASES * MODELS):.2f} ms "
        f"(target ≤ 5 ms); {extra_ms / MODELS:.0f} ms per run in all"
    )
    print(
        f"  one slot, 1 ms fake latency: {chain_ms:.2f} ms a case against {chain_bare_ms:.2f} ms "
        f"bare: {chain_ms - chain_bare_ms:.2f} ms per case in its own chain of calls"
    )


def _one_slot(suite: EvalSuite, url: str) -> tuple[float, float]:
    """Per case, ms: a run asking every case in one slot, and the same POSTs bare in a row."""
    _, models = _catalog(url, slug="quick")
    with override_settings(EVAL_CONCURRENCY_PER_VENDOR=1):
        _timed(runs_start(suite=suite, models=models[-1:], queue=False), threads=1)
        run_s = _timed(runs_start(suite=suite, models=models[:3], queue=False), threads=1)
    bare_ms = statistics.median(_bare_round_trip_ms(url, CASES) for _ in range(3))
    return run_s * 1000 / (3 * CASES), bare_ms


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

"""Vendor jobs: price sync vs its floor, concurrent availability check vs a sequential loop.

Both run against `manage.py fake_vendor` in its own process on loopback, in a throwaway test
database. The price sync and its floor each run inside a transaction that is rolled back, so
they see the same catalog every repeat and neither pays for commits the other skips.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from statistics import median

import httpx
from django.db import connection, transaction
from django.utils import timezone

from bench.__main__ import ROOT
from catalog.choices import ApiKind, PriceSource
from catalog.models import AIModel, PriceObservation, Vendor
from catalog.services.availability import availability_check
from catalog.services.bulk import bulk_set
from catalog.services.catalog_import import models_import_litellm
from catalog.services.fake_vendor_demo import vendors_point_at_fake
from catalog.services.prices import PRICE_FIELDS, prices_sync
from catalog.vendors.litellm_source import quotes_from_cost_map
from core.http import tls_context
from fakevendor import data

REPEAT = 7
PROBES = 1_000
LATENCY_MS = 100
SEQUENTIAL_SAMPLE = int(os.environ.get("BENCH_JOBS_SEQUENTIAL_SAMPLE", "200"))


@contextmanager
def throwaway_database() -> Iterator[None]:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


@contextmanager
def fake_vendor(*args: str) -> Iterator[str]:
    """`manage.py fake_vendor` in its own process (no GIL shared with the client)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "fake_vendor", "--port", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DEBUG": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/status/x/api/v2/summary.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def rolled_back(call: object) -> float:
    """Wall time of `call()` inside a transaction that is then rolled back, starting from a
    vacuumed table: the dead rows of earlier repeats would otherwise slow whichever runs later."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM catalog_aimodel, catalog_priceobservation")
    with transaction.atomic():
        start = time.perf_counter()
        call()  # type: ignore[operator]
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def price_sync_bench() -> None:
    models_import_litellm(raw=data.load_cost_map())
    with fake_vendor("--price-drift", "1.0", "--seed", "1") as url:
        vendors_point_at_fake(url=url)
        source = f"{url}/litellm/model_prices.json"
        served = quotes_from_cost_map(httpx.get(source).json())
        fields = ["pk", "price_source_key", "input_price_per_mtok"]
        models = list(AIModel.objects.only(*fields, "output_price_per_mtok"))
        changed, unchanged = [], []
        for m in models:
            quote = served.get(m.price_source_key)
            if quote is None:
                continue
            priced = not quote.problem and (quote.input_price or quote.output_price)
            stored = (m.input_price_per_mtok, m.output_price_per_mtok)
            if priced and (quote.input_price, quote.output_price) != stored:
                changed.append(m)
            else:
                unchanged.append(m.pk)

        def floor() -> None:
            """What any sync must write: changed prices with their ledger rows, and the check
            time of every matched model."""
            body = httpx.get(source, timeout=30, verify=tls_context()).json()
            assert isinstance(body, dict)
            now = timezone.now()
            rows = []
            observations = []
            for m in changed:
                fields = served[m.price_source_key].components.as_fields()
                rows.append((m.pk, *(fields[name] for name in PRICE_FIELDS)))
                observations.append(
                    PriceObservation(
                        model=m, observed_at=now, source=PriceSource.LITELLM, **fields
                    )
                )  # fmt: skip
            PriceObservation.objects.bulk_create(observations, batch_size=500)
            bulk_set(AIModel, PRICE_FIELDS, rows, same={"price_checked_at": now})
            AIModel.objects.filter(pk__in=unchanged).update(price_checked_at=now)

        results = []

        def sync() -> None:
            results.append(prices_sync())

        floors: list[float] = []
        syncs: list[float] = []
        turns = [(floors, floor), (syncs, sync)]
        for repeat in range(REPEAT):  # interleaved, each going first in turn
            for times, call in turns if repeat % 2 == 0 else reversed(turns):
                times.append(rolled_back(call))
    last = results[-1]
    print(f"  catalog: {len(models)} models; served map changes {len(changed)} prices")
    print(f"  sync result: checked {last.checked}, changed {last.changed}, flagged {last.flagged}")
    # Best of REPEAT on both sides (as timeit advises): slower repeats measure the machine's
    # other work, which on a small shared box swings either side's median by ±30 %.
    print(f"  best of {REPEAT} (median)")
    print(
        f"  floor (GET + JSON parse + bulk writes of the same rows): "
        f"{min(floors):5.2f} s ({median(floors):.2f} s)"
    )
    print(
        f"  prices_sync:                                            "
        f"{min(syncs):5.2f} s ({median(syncs):.2f} s)"
    )
    print(
        f"  ratio sync/floor: {min(syncs) / min(floors):.2f}×  (target ≤ 1.5×); "
        f"of medians {median(syncs) / median(floors):.2f}×"
    )


def availability_bench() -> None:
    ids = [m["id"] for m in data.openrouter_models(data.load_cost_map())][:PROBES]
    with fake_vendor("--latency-ms", str(LATENCY_MS)) as url:
        base = f"{url}/openrouter/api/v1"
        vendor = Vendor.objects.create(
            slug="bench-openrouter", name="Bench OpenRouter", api_kind=ApiKind.OPENROUTER,
            api_base_url=base,
        )  # fmt: skip
        AIModel.objects.bulk_create(
            [
                AIModel(vendor=vendor, name=i, slug=f"b-{n}", vendor_model_id=i, price_source_key=i)
                for n, i in enumerate(ids)
            ]
        )  # fmt: skip
        start = time.perf_counter()
        result = availability_check(vendor_slugs=[vendor.slug])
        concurrent = time.perf_counter() - start
        up = AIModel.objects.filter(vendor=vendor, availability_status="up").count()

        sample = ids[:SEQUENTIAL_SAMPLE]
        with httpx.Client(timeout=10) as client:
            start = time.perf_counter()
            client.get(f"{base}/models").json()
            for model_id in sample:
                client.get(f"{base}/models/{model_id}/endpoints").json()
            sequential_sample = time.perf_counter() - start
    sequential = sequential_sample * PROBES / len(sample)
    print(f"  {PROBES} models, {LATENCY_MS} ms fake latency: checked {result.checked}, up {up}")
    print(f"  concurrent availability_check: {concurrent:6.2f} s")
    scaled = "" if len(sample) == PROBES else f" (measured {len(sample)} probes, scaled)"
    print(f"  sequential loop:               {sequential:6.2f} s{scaled}")
    print(f"  speed-up: {sequential / concurrent:.1f}× faster  (target ≥ 20×)")


def run() -> None:
    with throwaway_database():
        print(f"  database: {connection.vendor}")
        print("- price sync of every model of the bundled LiteLLM map")
        price_sync_bench()
        print("- availability check")
        availability_bench()

"""Gateway check: 1,000 units' probes, concurrent per gateway vs one probe at a time.

The fake LiteLLM-like gateway answers every call after 50 ms (it runs in this process: its
threads sleep, so they barely compete with the client for the GIL). Each unit has one adopted
model and its team serves exactly that, so a check makes 1 + GATEWAY_DENY_PROBES calls per
unit and finds nothing; then every key is refused, so the same check writes 1,000 findings.
The one-at-a-time figure is measured on a sample of units and scaled to 1,000.
"""

import os
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import BusinessUnit
from bench.bench_jobs import throwaway_database
from catalog.choices import ModelStatus
from catalog.models import Adoption, AIModel, Vendor
from fakevendor.server import FakeVendor
from gateways.models import Gateway, GatewayFinding, GatewayProbe
from gateways.services.checks import gateway_check

UNITS = 1_000
SAMPLE = 50
LATENCY_MS = 50
GOAL = 20


def _seed(fake: FakeVendor) -> Gateway:
    now = timezone.now()
    vendor = Vendor.objects.create(slug="bench", name="Bench")
    models = AIModel.objects.bulk_create(
        AIModel(
            vendor=vendor,
            name=f"Model {n}",
            slug=f"model-{n}",
            vendor_model_id=f"m-{n}",
            status=ModelStatus.APPROVED,
        )
        for n in range(UNITS)
    )
    units = BusinessUnit.objects.bulk_create(
        BusinessUnit(slug=f"unit-{n}", name=f"Unit {n}") for n in range(UNITS)
    )
    Adoption.objects.bulk_create(
        Adoption(
            unit=unit, model=model, use_case="bench", approved_at=now,
            expires_at=now + timedelta(days=30),
        )
        for unit, model in zip(units, models, strict=True)
    )  # fmt: skip
    gateway = Gateway.objects.create(name="Bench proxy", base_url=f"{fake.url}/gateway")
    GatewayProbe.objects.bulk_create(
        GatewayProbe(gateway=gateway, unit=unit, key_env=f"BENCH_UNIT_{n}_KEY")
        for n, unit in enumerate(units)
    )
    for n in range(UNITS):
        os.environ[f"BENCH_UNIT_{n}_KEY"] = f"sk-team-unit-{n}"
        fake.gateway.team(f"unit-{n}").models = [f"model-{n}"]
    return gateway


def _timed(gateway: Gateway, *, concurrency: int, probes: int) -> tuple[float, int]:
    """Seconds and queries of one check of the first `probes` probes."""
    GatewayProbe.objects.filter(gateway=gateway).update(active=False)
    ids = (
        GatewayProbe.objects.filter(gateway=gateway)
        .order_by("id")
        .values_list("id", flat=True)[:probes]
    )
    GatewayProbe.objects.filter(pk__in=list(ids)).update(active=True)
    settings.GATEWAY_CONCURRENCY = concurrency
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        gateway_check(gateway=gateway)
        seconds = time.perf_counter() - start
    return seconds, len(queries)


def run() -> None:
    fake = FakeVendor(latency_ms=LATENCY_MS).start()
    concurrency, allowed = settings.GATEWAY_CONCURRENCY, settings.OUTBOUND_ALLOWED_HOSTS
    settings.OUTBOUND_ALLOWED_HOSTS = [*allowed, fake.url.removeprefix("http://")]
    try:
        with throwaway_database():
            print(f"  database: {connection.vendor}; {LATENCY_MS} ms a call; "
                  f"{1 + settings.GATEWAY_DENY_PROBES} calls a unit")  # fmt: skip
            gateway = _seed(fake)
            together, queries = _timed(gateway, concurrency=concurrency, probes=UNITS)
            calls = len(fake.gateway.calls)
            found = GatewayFinding.objects.count()
            alone, _ = _timed(gateway, concurrency=1, probes=SAMPLE)
            alone_all = alone * UNITS / SAMPLE
            speedup = alone_all / together
            verdict = "ok" if speedup >= GOAL else f"BELOW the {GOAL}x goal"
            print(f"  check of {UNITS} units, {concurrency} at a time: {together:6.2f} s, "
                  f"{queries} queries, {calls} refused calls tried, {found} findings")  # fmt: skip
            print(f"  one unit at a time ({SAMPLE} measured, scaled): {alone_all:6.2f} s "
                  f"-> {speedup:.1f}x faster concurrently ({verdict})")  # fmt: skip
            findings = []
            for size in (100, UNITS):
                for n in range(UNITS):
                    os.environ[f"BENCH_UNIT_{n}_KEY"] = "sk-refused"
                GatewayFinding.objects.all().delete()
                seconds, queries = _timed(gateway, concurrency=concurrency, probes=size)
                findings.append((size, queries, GatewayFinding.objects.count(), seconds))
            for size, queries, count, seconds in findings:
                print(f"  {size:5} units, every key refused: {count} findings written with "
                      f"{queries} queries in {seconds:.2f} s")  # fmt: skip
    finally:
        settings.GATEWAY_CONCURRENCY, settings.OUTBOUND_ALLOWED_HOSTS = concurrency, allowed
        fake.stop()

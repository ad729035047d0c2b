"""Usage ingest: 1,000,000 rows from the fake LiteLLM proxy vs one COPY; report views vs SQL.

1,000 units × 40 models × 25 days served by a fake proxy in its own process. The ingest is the
whole job (HTTP, parsing, pricing, upsert, findings); its floor is the same rows written with
one PostgreSQL COPY. A second ingest of the same days must write nothing and cost no more. Then
a unit's month and the company chargeback over HTTP (token auth, DRF) against hand-written SQL
aggregates of the same figures, p50 of interleaved runs.
"""

import io
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
from django.db import connection
from django.test import Client

from accounts.models import BusinessUnit, User
from bench.__main__ import ROOT, measure
from bench.bench_jobs import throwaway_database
from catalog.models import Adoption, AIModel, PriceObservation, Vendor
from usage.choices import SourceKind
from usage.models import UsageAccount, UsageRecord, UsageSource
from usage.services.ingest import usage_ingest

UNITS = int(os.environ.get("BENCH_USAGE_UNITS", "1000"))
MODELS = 40
DAYS = 25
FIRST = date(2026, 9, 1)
KEY_ENV = "BENCH_USAGE_PROXY_KEY"
ADOPTED = 35
COLUMNS = [
    "source_id", "account_id", "unit_id", "day", "vendor_model_id", "model_id", "input_tokens",
    "output_tokens", "requests", "billed_cost", "list_cost", "ingested_at",
]  # fmt: skip
SERVE = """
import sys
from datetime import date
from catalog.fakevendor.server import FakeVendor
from catalog.fakevendor.usage import Entry, UsagePlan
units, models, days, port = (int(a) for a in sys.argv[1:5])
cost_map = {f"bench-model-{m:02d}": {"input_cost_per_token": (m + 1) * 1e-7,
            "output_cost_per_token": (m + 1) * 4e-7, "litellm_provider": "bench",
            "mode": "chat"} for m in range(models)}
server = FakeVendor(port=port, cost_map=cost_map)
server.usage_plan = UsagePlan(
    start=date(2026, 9, 1), end=date(2026, 9, days), page_size=31,
    entries=[Entry("litellm", f"team-{u:04d}", f"bench-model-{m:02d}", 100_000 + m, 10_000 + u)
             for u in range(units) for m in range(models)],
)
server.serve_forever()
"""


def _world() -> UsageSource:
    vendor = Vendor.objects.create(slug="bench", name="Bench")
    models = AIModel.objects.bulk_create(
        AIModel(
            vendor=vendor, name=f"Bench {m}", slug=f"bench-model-{m:02d}",
            vendor_model_id=f"bench-model-{m:02d}", price_source_key=f"bench-model-{m:02d}",
            input_price_per_mtok=Decimal(m + 1) / 10, output_price_per_mtok=Decimal(m + 1) * 4 / 10,
        )
        for m in range(MODELS)
    )  # fmt: skip
    PriceObservation.objects.bulk_create(
        PriceObservation(
            model=m, observed_at=datetime(2026, 1, 1, tzinfo=UTC), source="manual",
            input_price_per_mtok=m.input_price_per_mtok,
            output_price_per_mtok=m.output_price_per_mtok,
        )
        for m in models
    )  # fmt: skip
    units = BusinessUnit.objects.bulk_create(
        BusinessUnit(slug=f"unit-{u:04d}", name=f"Unit {u:04d}", cost_center=f"CC-{u % 50:02d}")
        for u in range(UNITS)
    )
    # Each unit adopted 35 of the 40 models before the month: the other 5 are unapproved use.
    approved, expires = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    Adoption.objects.bulk_create(
        Adoption(
            unit=unit, model=model, use_case="Bench", approved_at=approved, expires_at=expires,
            expected_monthly_input_tokens=3_000_000, expected_monthly_output_tokens=300_000,
        )
        for unit in units
        for model in models[:ADOPTED]
    )  # fmt: skip
    os.environ.setdefault(KEY_ENV, "bench-key")
    source = UsageSource.objects.create(
        name="Bench proxy", kind=SourceKind.LITELLM, key_env=KEY_ENV
    )
    UsageAccount.objects.bulk_create(
        UsageAccount(source=source, external_id=f"team-{u:04d}", unit=unit)
        for u, unit in enumerate(units)
    )
    return source


def _copy_floor(rows: list[tuple[object, ...]]) -> float:
    """The same rows written with one COPY into the emptied table (its indexes included)."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    UsageRecord.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM usage_usagerecord")
        start = time.perf_counter()
        with cursor.copy(f"COPY usage_usagerecord ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        return time.perf_counter() - start


def _ingest_bench(url: str, source: UsageSource) -> None:
    source.base_url = f"{url}/litellm"
    source.save()
    since = FIRST
    start = time.perf_counter()
    first = usage_ingest(since=since)
    first_s = time.perf_counter() - start
    rows = UsageRecord.objects.count()
    assert not first.errors, first.errors[:3]
    assert rows == UNITS * MODELS * DAYS, rows
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE usage_usagerecord")
    start = time.perf_counter()
    again = usage_ingest(since=since)
    again_s = time.perf_counter() - start
    assert again.changed == 0 and UsageRecord.objects.count() == rows
    stored = list(UsageRecord.objects.order_by("pk").values_list(*COLUMNS))
    floor_s = _copy_floor(stored)
    print(f"ingest of {rows:,} rows ({first.checked:,} read, {first.changed:,} written)")
    print(f"  first ingest   {first_s:8.1f} s   {rows / first_s:10,.0f} rows/s")
    print(
        f"  re-ingest      {again_s:8.1f} s   ({again.changed} written), "
        f"{again_s / first_s:.2f} of the first"
    )
    print(f"  COPY floor     {floor_s:8.1f} s   {rows / floor_s:10,.0f} rows/s")
    print(f"  ratio ingest/COPY {first_s / floor_s:.2f}  (target <= 3)")


def _views_bench() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    token = User.objects.create_user("bench-approver")
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from accounts.models import APPROVERS_GROUP

    token.groups.add(Group.objects.get_or_create(name=APPROVERS_GROUP)[0])
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=token).key}"}
    client = Client()
    unit = BusinessUnit.objects.get(slug=f"unit-{UNITS // 2:04d}")
    month_sql = (
        "SELECT vendor_model_id, model_id, SUM(input_tokens), SUM(output_tokens), SUM(requests),"
        " SUM(billed_cost), SUM(list_cost) FROM usage_usagerecord WHERE unit_id = %s"
        " AND day BETWEEN %s AND %s GROUP BY vendor_model_id, model_id ORDER BY vendor_model_id"
    )
    chargeback_sql = (
        "SELECT u.cost_center, u.slug, r.vendor_model_id, m.slug, SUM(r.input_tokens),"
        " SUM(r.output_tokens), SUM(r.billed_cost), SUM(r.list_cost) FROM usage_usagerecord r"
        " JOIN accounts_businessunit u ON u.id = r.unit_id LEFT JOIN catalog_aimodel m"
        " ON m.id = r.model_id WHERE r.day BETWEEN %s AND %s"
        " GROUP BY u.cost_center, u.slug, r.vendor_model_id, m.slug ORDER BY 1, 2, 3"
    )
    end = date(2026, 9, 30)

    def sql(query: str, params: list[object]) -> object:
        def call() -> None:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                cursor.fetchall()

        return call

    def get(url: str) -> object:
        def call() -> None:
            assert client.get(url, **auth).status_code == 200

        return call

    for url, floor, repeat in (
        (f"/api/v1/business-units/{unit.slug}/usage/?month=2026-09",
         sql(month_sql, [unit.pk, FIRST, end]), 30),
        ("/api/v1/chargeback/?month=2026-09", sql(chargeback_sql, [FIRST, end]), 7),
    ):  # fmt: skip
        api_times, sql_times = [], []
        for _ in range(3):  # interleaved rounds so drift on a shared box hits both alike
            api_times.append(measure(get(url), repeat=repeat // 3 or 1, warmup=1).p50_ms)
            sql_times.append(measure(floor, repeat=repeat // 3 or 1, warmup=1).p50_ms)
        api, floor_ms = sorted(api_times)[1], sorted(sql_times)[1]
        print(f"GET {url}")
        print(f"  API p50 {api:9.1f} ms   SQL aggregate p50 {floor_ms:9.1f} ms   "
              f"ratio {api / floor_ms:.2f}  (target <= 2)")  # fmt: skip


def run() -> None:
    if connection.vendor != "postgresql":
        print("skipped: the COPY floor needs PostgreSQL")
        return
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with throwaway_database():
        source = _world()
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(UNITS), str(MODELS), str(DAYS), str(port)],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "modelshelf.settings"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{url}/status/x/api/v2/summary.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            _ingest_bench(url, source)
        finally:
            process.terminate()
            process.wait(10)
        _views_bench()

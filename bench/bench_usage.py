"""Usage ingest: 1,000,000 rows from the fake LiteLLM proxy vs one COPY; report views vs SQL.

1,000 units × 40 models × 25 days served by a fake proxy in its own process, a quarter of
each day's prompt tokens reported as cache reads (priced at their own rate, stored apart). The
ingest is the whole job (HTTP, parsing, pricing, upsert, findings); its floor is the same rows
written with one PostgreSQL COPY. A second ingest of the same days must write nothing and
cost no more.

Then a unit's month and the company chargeback over HTTP (token auth, DRF), p50 of interleaved
runs, against a hand-written SQL statement of the same figures and against the request floor
(a DRF view that answers a constant: middleware, token auth, throttle, rendering). The issue's
target, "≤ 2× the SQL", is read as API ≤ 2 × (floor + SQL): a unit's month is a millisecond of
SQL on an index, less than any authenticated request costs before it runs a query. API / SQL
and (API − floor) / SQL are printed too.

BENCH_USAGE_VIEWS_ONLY=1 skips the ingest and writes the same rows with one INSERT … SELECT
(a quicker way to repeat the view measurements).
"""

import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

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
    "output_tokens", "cache_read_tokens", "cache_write_tokens", "requests", "billed_cost",
    "list_cost", "ingested_at",
]  # fmt: skip
SERVE = """
import sys
from datetime import date
from decimal import Decimal
from fakevendor.server import FakeVendor
from fakevendor.usage import Entry, UsagePlan
units, models, days, port = (int(a) for a in sys.argv[1:5])
cost_map = {f"bench-model-{m:02d}": {"input_cost_per_token": (m + 1) * 1e-7,
            "output_cost_per_token": (m + 1) * 4e-7, "cache_read_input_token_cost": (m + 1) * 1e-8,
            "litellm_provider": "bench", "mode": "chat"} for m in range(models)}
server = FakeVendor(port=port, cost_map=cost_map)
server.usage_plan = UsagePlan(
    start=date(2026, 9, 1), end=date(2026, 9, days), page_size=31,
    litellm_cache_share=Decimal("0.25"),
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
            cache_read_price_per_mtok=Decimal(m + 1) / 100,
        )
        for m in range(MODELS)
    )  # fmt: skip
    PriceObservation.objects.bulk_create(
        PriceObservation(
            model=m, observed_at=datetime(2026, 1, 1, tzinfo=UTC), source="manual",
            input_price_per_mtok=m.input_price_per_mtok,
            output_price_per_mtok=m.output_price_per_mtok,
            cache_read_price_per_mtok=m.cache_read_price_per_mtok,
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


def _seed_sql() -> None:
    """The rows the ingest writes (each unit × model × day, priced as the fake proxy prices
    them), written in one statement."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO usage_usagerecord (source_id, account_id, unit_id, day, vendor_model_id,
                model_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                requests, billed_cost, list_cost, ingested_at)
            SELECT a.source_id, a.id, a.unit_id, d::date, m.vendor_model_id, m.id,
                (100000 + m.n) - (100000 + m.n) / 4, 10000 + a.n, (100000 + m.n) / 4, 0, 100,
                ROUND((((100000 + m.n) - (100000 + m.n) / 4) * (m.n + 1) * 1e-7
                + (100000 + m.n) / 4 * (m.n + 1) * 1e-8
                + (10000 + a.n) * (m.n + 1) * 4e-7)::numeric, 6),
                ROUND((((100000 + m.n) - (100000 + m.n) / 4) * (m.n + 1) * 1e-7
                + (100000 + m.n) / 4 * (m.n + 1) * 1e-8
                + (10000 + a.n) * (m.n + 1) * 4e-7)::numeric, 6), now()
            FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM usage_usageaccount) a
            CROSS JOIN (SELECT *, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM catalog_aimodel)
                m
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
            ORDER BY d, a.id, m.id
            """,
            [FIRST, FIRST.replace(day=DAYS)],
        )
        rows = cursor.rowcount
    print(f"seeded {rows:,} rows with one INSERT … SELECT in {time.perf_counter() - start:.1f} s")


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


class RequestFloor(APIView):
    """What every authenticated API call pays before its own work: the middleware, DRF's
    dispatch, token authentication, the throttle (its cache round trips) and JSON rendering."""

    def get(self, request: Request) -> Response:
        return Response({"month": "2026-09", "results": []})


urlpatterns = [
    path("bench/floor/", RequestFloor.as_view()),
    path("", include("modelshelf.urls")),
]
# The figures the unit month answers, by hand in one statement: the month's sums per reported
# model, each matched model's reference, and the forecast of the unit's active adoptions
# (adopted models it did not use included).
MONTH_SQL = """
WITH unit AS (SELECT id FROM accounts_businessunit WHERE slug = %(slug)s),
used AS (
    SELECT r.vendor_model_id, r.model_id, SUM(r.input_tokens) AS tokens_in,
           SUM(r.output_tokens) AS tokens_out, SUM(r.requests) AS requests,
           COUNT(*) - COUNT(r.requests) AS uncounted, SUM(r.billed_cost) AS billed,
           COUNT(*) - COUNT(r.billed_cost) AS unbilled, SUM(r.list_cost) AS listed,
           COUNT(*) - COUNT(r.list_cost) AS unpriced
    FROM usage_usagerecord r WHERE r.unit_id = (SELECT id FROM unit)
    AND r.day BETWEEN %(first)s AND %(last)s GROUP BY r.vendor_model_id, r.model_id
), forecast AS (
    SELECT a.model_id, ROUND((COALESCE(m.input_price_per_mtok, 0) * a.expected_monthly_input_tokens
           + COALESCE(m.output_price_per_mtok, 0) * a.expected_monthly_output_tokens)
           / 1000000, 2) AS cost
    FROM catalog_adoption a JOIN catalog_aimodel m ON m.id = a.model_id
    WHERE a.unit_id = (SELECT id FROM unit) AND a.status = 'active'
)
SELECT COALESCE(u.vendor_model_id, m.vendor_model_id) AS reported, m.slug, m.name, v.slug,
       m.vendor_model_id, u.tokens_in, u.tokens_out, u.requests, u.uncounted, u.billed,
       u.unbilled, u.listed, u.unpriced, f.cost
FROM used u FULL JOIN forecast f ON f.model_id = u.model_id
LEFT JOIN catalog_aimodel m ON m.id = COALESCE(u.model_id, f.model_id)
LEFT JOIN catalog_vendor v ON v.id = m.vendor_id
ORDER BY reported
"""
# The old floor, kept for comparison with earlier notes: the records' sums alone.
MONTH_SUMS_SQL = """
SELECT vendor_model_id, model_id, SUM(input_tokens), SUM(output_tokens), SUM(requests),
       SUM(billed_cost), SUM(list_cost) FROM usage_usagerecord
WHERE unit_id = (SELECT id FROM accounts_businessunit WHERE slug = %(slug)s)
AND day BETWEEN %(first)s AND %(last)s GROUP BY vendor_model_id, model_id ORDER BY vendor_model_id
"""
CHARGEBACK_SQL = """
SELECT u.cost_center, u.slug, r.vendor_model_id, m.slug, SUM(r.input_tokens),
       SUM(r.output_tokens), SUM(r.billed_cost), SUM(r.list_cost) FROM usage_usagerecord r
JOIN accounts_businessunit u ON u.id = r.unit_id LEFT JOIN catalog_aimodel m
ON m.id = r.model_id WHERE r.day BETWEEN %(first)s AND %(last)s
GROUP BY u.cost_center, u.slug, r.vendor_model_id, m.slug ORDER BY 1, 2, 3
"""


def _interleaved(samples: int, *calls: Callable[[], object]) -> list[float]:
    """p50 (ms) of each call, sampled in turn (A, B, C, A, B, C…) so that bursts of load on a
    shared machine hit every call alike."""
    for call in calls:
        measure(call, repeat=1)  # warm-up
    rows = [[measure(call, repeat=1, warmup=0).p50_ms for call in calls] for _ in range(samples)]
    return [statistics.median(column) for column in zip(*rows, strict=True)]


def _statements(call: Callable[[], None]) -> list[str]:
    """The SQL one call runs (CaptureQueriesContext is emptied by the request_started signal)."""
    seen: list[str] = []

    def wrapper(execute: Callable[..., object], sql: str, *args: object) -> object:
        seen.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        call()
    return seen


def _views_bench() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from accounts.models import APPROVERS_GROUP

    approver, _ = User.objects.get_or_create(username="bench-approver")
    approver.groups.add(Group.objects.get_or_create(name=APPROVERS_GROUP)[0])
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=approver)[0].key}"}
    client = Client()
    slug = f"unit-{UNITS // 2:04d}"
    params = {"slug": slug, "first": FIRST, "last": date(2026, 9, 30)}

    def sql(query: str) -> Callable[[], None]:
        def call() -> None:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                cursor.fetchall()

        return call

    def get(url: str) -> Callable[[], None]:
        def call() -> None:
            assert client.get(url, **auth).status_code == 200

        return call

    with override_settings(ROOT_URLCONF=__name__):
        for url, queries, samples in (
            (f"/api/v1/business-units/{slug}/usage/?month=2026-09",
             [MONTH_SQL, MONTH_SUMS_SQL], 60),
            ("/api/v1/chargeback/?month=2026-09", [CHARGEBACK_SQL], 7),
        ):  # fmt: skip
            statements = _statements(get(url))
            api, floor, *floors = _interleaved(
                samples, get(url), get("/bench/floor/"), *[sql(q) for q in queries]
            )
            same = floors[0]
            print(f"GET {url}  ({len(statements)} queries per request)")
            print(f"  API p50 {api:9.2f} ms   request floor (auth, throttle, DRF) {floor:7.2f} ms")
            print(f"  SQL of the same figures p50 {same:9.2f} ms", end="")
            print(f"   (sums alone {floors[1]:.2f} ms)" if len(floors) > 1 else "")
            print(
                f"  ratio API / (floor + SQL) {api / (floor + same):.2f}  (target <= 2)   "
                f"API / SQL {api / same:.2f}   (API - floor) / SQL {(api - floor) / same:.2f}"
            )


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
        if os.environ.get("BENCH_USAGE_VIEWS_ONLY"):
            _seed_sql()
            _views_bench()
            return
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

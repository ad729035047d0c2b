"""CSV of the whole catalog (4,700 models) vs. the JSON pages carrying the same rows; memory.

Time: `GET /api/v1/models/?format=csv` read to its end, against the 500-row JSON pages a client
would walk for the same rows (target: CSV <= 1.5x). Memory: the peak Python allocation while
the CSV streams, for the whole catalog and for a quarter of it; flat means the peak hardly
grows with the rows (one 500-model chunk is held at a time, plus the list of ids). The JSON
pages are read as first calls read them, with no kept answer (`catalog.api.list_answers`):
what is compared is writing the rows, which a kept answer does not do.
"""

import statistics
import time
import tracemalloc
from collections.abc import Callable
from unittest.mock import patch

from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from rest_framework.authtoken.models import Token

from accounts.models import User
from bench.bench_api import seed_catalog
from catalog.api import list_answers
from catalog.api.pagination import MAX_PAGE_SIZE

MODELS = 4_700
SAMPLES = 15
QUARTER = "max_input_price=7.5"  # prices are uniform over 0.005–30: about a quarter of the rows


def _csv(client: Client, query: str = "") -> Callable[[], int]:
    def call() -> int:
        response = client.get(f"/api/v1/models/?format=csv&{query}")
        assert response.status_code == 200 and response.streaming, response.status_code
        return sum(len(chunk) for chunk in response.streaming_content)

    return call


def _json_pages(client: Client) -> Callable[[], int]:
    def call() -> int:
        rows, page = 0, 1
        while True:
            answer = client.get(f"/api/v1/models/?page_size={MAX_PAGE_SIZE}&page={page}").json()
            rows += len(answer["results"])
            if not answer["next"]:
                return rows
            page += 1

    return call


def _timed(call: Callable[[], int]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _peak_kib(call: Callable[[], int]) -> tuple[float, int]:
    """Peak traced allocation while `call` runs (KiB), and what it returned (bytes)."""
    tracemalloc.start()
    try:
        size = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024, size


def run() -> None:
    with patch.object(list_answers, "KEPT_BYTES", 0):  # each answer is let go once kept
        _run()


def _run() -> None:
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        print(f"database: {connection.vendor}, seeding {MODELS:,} models…")
        seed_catalog(MODELS)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        token = Token.objects.create(user=User.objects.create_user("bench")).key
        client = Client(headers={"Authorization": f"Token {token}"})
        csv_all, pages = _csv(client), _json_pages(client)
        assert pages() == MODELS
        csv_all(), pages()  # warm-up
        # Interleaved, so that bursts of load on a shared machine hit both alike.
        samples = [(_timed(csv_all), _timed(pages)) for _ in range(SAMPLES)]
        csv_ms = statistics.median(s[0] for s in samples)
        json_ms = statistics.median(s[1] for s in samples)
        best_csv, best_json = min(s[0] for s in samples), min(s[1] for s in samples)
        pages_needed = -(-MODELS // MAX_PAGE_SIZE)
        print(
            f"CSV, all {MODELS:,} rows, streamed      "
            f"median {csv_ms:8.1f} ms  best {best_csv:8.1f} ms"
        )
        print(
            f"JSON, {pages_needed} pages of {MAX_PAGE_SIZE}           "
            f"median {json_ms:8.1f} ms  best {best_json:8.1f} ms"
        )
        print(
            f"  ratio CSV/JSON median {csv_ms / json_ms:.2f}  best {best_csv / best_json:.2f}"
            "  (target <= 1.5)"
        )
        whole_kib, whole_bytes = _peak_kib(csv_all)
        quarter_kib, quarter_bytes = _peak_kib(_csv(client, QUARTER))
        print(
            f"memory: peak {whole_kib:,.0f} KiB streaming {whole_bytes / 1024:,.0f} KiB of CSV "
            f"(all rows); {quarter_kib:,.0f} KiB for {quarter_bytes / 1024:,.0f} KiB (a quarter)"
        )
    finally:
        teardown_databases(old_config, verbosity=0)

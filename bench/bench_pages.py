"""Catalog at 10,000 models: the htmx fragment with two filters vs. the JSON list of those rows.

Both answer the same 50 rows for the same two filters, through the same session, so the ratio
is the price of rendering HTML (table, badges, links, pagination) over serializing JSON. The
JSON is read as a first call reads it, with no kept answer (`catalog.api.list_answers`): a kept
answer serializes nothing, and serializing is what the HTML is held against. Also shows the
full page for reference. Throwaway database, as every bench.
"""

from unittest.mock import patch

from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases

from accounts.models import User
from bench.bench_api import _get, _interleaved, seed_catalog
from catalog.api import list_answers

MODELS = 10_000
PAGE = 50
FILTERS = "status=approved&max_input_price=20"
TARGET = 1.5


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
        client = Client()
        client.force_login(User.objects.create_user("bench"))
        fragment_url, api_url = f"/?{FILTERS}", f"/api/v1/models/?{FILTERS}&page_size={PAGE}"
        rows = client.get(fragment_url, headers={"HX-Request": "true"}).content.count(b'name="m"')
        assert rows == len(client.get(api_url).json()["results"]) == PAGE, rows
        fragment, api, page = _interleaved(
            _get(client, fragment_url, **{"HX-Request": "true"}),
            _get(client, api_url),
            _get(client, fragment_url),
        )
        print(f"{PAGE} rows, filters {FILTERS}")
        print(f"  catalog fragment (htmx)  GET {fragment_url:<48} {fragment}")
        print(f"  JSON list (API)          GET {api_url:<48} {api}")
        print(f"  full catalog page        GET {fragment_url:<48} {page}")
        print(
            f"  ratio fragment/JSON p50 {fragment.p50_ms / api.p50_ms:.2f}  "
            f"p95 {fragment.p95_ms / api.p95_ms:.2f}  (target <= {TARGET})"
        )
    finally:
        teardown_databases(old_config, verbosity=0)

"""The catalog list at scale (issue 14): the same few queries at 10,000 and 100,000 models, each
ordering and `search` read through an index, counts cached until the catalog changes, DRF's
JSON bytes written by orjson, planner statistics refreshed by `import_models`."""

import json
import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from catalog.api import list_answers
from catalog.models import AIModel, Specialty, Vendor
from core.api.fastjson import ORJSONRenderer
from tests.catalog.api_support import token_client
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
)

LIST = "/api/v1/models/?page_size=100"
# URL → queries once the count is cached and the page's statement kept: the token, the page (a
# slug filter's lookup ran when the statement was compiled).
WARM_QUERIES = {
    LIST: 2,
    f"{LIST}&specialty=chat&max_input_price=5&ordering=-context_window": 2,
    f"{LIST}&search=claude": 2,
    f"{LIST}&ordering=-blended_price": 2,
    f"{LIST}&ordering=input_price": 2,
}


def seed_models(size: int) -> None:
    """`size` models in one INSERT … SELECT generate_series (100,000 in about a second): one in
    200 a Claude, a quarter chat models, one in seven unpriced; then ANALYZE, as imports do."""
    vendor = Vendor.objects.create(slug="seed-vendor", name="Seed vendor")
    table = AIModel._meta.db_table
    values = {
        "vendor_id": str(vendor.pk),
        "name": "CASE WHEN g % 200 = 0 THEN 'claude-' ELSE 'model-' END || lpad(g::text, 6, '0')",
        "slug": "'seed-' || g",
        "vendor_model_id": "'seed-' || g",
        "context_window": "(ARRAY[8192, 32768, 128000, 1000000])[1 + g % 4]",
        "input_price_per_mtok": "CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 3000) / 100.0 END",
        "output_price_per_mtok": "CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 6000) / 100.0 END",
        "parameters": "CASE WHEN g % 5 = 0 THEN NULL ELSE g::bigint * 1000000 END",
        "release_date": "DATE '2024-01-01' + g % 700",
    }
    values = {column: sql.replace("%", "%%") for column, sql in values.items()}
    params = []
    for field in AIModel._meta.concrete_fields:
        if field.primary_key or field.column in values or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.column] = "now()"
            continue
        default = field.get_default()
        values[field.column] = "%s"
        params.append(json.dumps(default) if isinstance(default, list) else default)
    columns = list(values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values.values())} "
            f"FROM generate_series(1, {size}) AS g",
            params,
        )
        chat = Specialty.objects.get(slug="chat").pk
        cursor.execute(
            f"INSERT INTO {AIModel.specialties.through._meta.db_table} (aimodel_id, specialty_id) "
            f"SELECT id, %s FROM {table} WHERE id %% 4 = 0",
            [chat],
        )
        cursor.execute(f"ANALYZE {table}")


@on_postgres
@pytest.mark.postgres
@pytest.mark.parametrize("size", [10_000, 100_000])
def test_list_queries_are_the_same_at_10_000_and_100_000_models(size):
    seed_models(size)
    api = token_client(UserFactory())
    for url, queries in WARM_QUERIES.items():
        with CaptureQueriesContext(connection) as cold:
            first = api.get(url)
        assert first.status_code == 200, first.content[:300]
        # + the count, unless another ordering of the same rows cached it (+ the slug's lookup)
        cold_queries = queries + 1 + ("specialty=" in url)
        assert len(cold) <= cold_queries, [q["sql"][:120] for q in cold]
        with CaptureQueriesContext(connection) as kept:
            again = api.get(url)
        assert len(kept) == 1, [q["sql"][:120] for q in kept]  # the token: the answer is kept
        assert again.content == first.content
        list_answers.forget()
        with CaptureQueriesContext(connection) as warm:
            again = api.get(url)
        assert len(warm) == queries, [q["sql"][:120] for q in warm]
        assert again.json() == first.json()


@on_postgres
@pytest.mark.postgres
def test_every_benchmarked_page_is_read_from_an_index_at_100_000_models():
    seed_models(100_000)
    api = token_client(UserFactory())
    for url in WARM_QUERIES:
        api.get(url)  # the count, cached
        list_answers.forget()
        with CaptureQueriesContext(connection) as queries:
            api.get(url)
        page = queries[-1]["sql"]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {page}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on catalog_aimodel " not in plan, (url, plan)
        if "search" not in url and "specialty" not in url:  # filters may sort their few rows
            assert "Sort Key: catalog_aimodel" not in plan, (url, plan)


@on_postgres
@pytest.mark.postgres
def test_the_search_indexes_keep_a_small_pending_list():
    """A search reads at most 64 kB of GIN pending entries, not up to 4 MB until autovacuum."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'aimodel_search_%%'"
        )
        options = dict(cursor.fetchall())
    assert set(options) == {f"aimodel_search_{c}" for c in ("name", "slug", "vendor_model_id")}
    assert all(opts == ["gin_pending_list_limit=64"] for opts in options.values()), options


def test_the_cached_count_follows_every_saved_change(django_capture_on_commit_callbacks):
    api = token_client(UserFactory())
    for _ in range(3):
        AIModelFactory()
    assert api.get(LIST).json()["count"] == 3
    with CaptureQueriesContext(connection) as queries:
        assert api.get(LIST).json()["count"] == 3
    assert not any("COUNT(" in q["sql"] for q in queries)
    with django_capture_on_commit_callbacks(execute=True):
        AIModelFactory()
    assert api.get(LIST).json()["count"] == 4
    with django_capture_on_commit_callbacks(execute=True):
        AIModel.objects.first().delete()
    assert api.get(LIST).json()["count"] == 3


def test_search_finds_what_the_plain_filter_finds():
    for name in ("Claude Opus", "claude-haiku", "GPT-4o", "Mistral (by Claude)"):
        AIModelFactory(name=name)
    AIModelFactory(name="Other", vendor_model_id="anthropic/CLAUDE-x")
    api = token_client(UserFactory())
    found = {m["name"] for m in api.get("/api/v1/models/?search=claude").json()["results"]}
    assert found == {"Claude Opus", "claude-haiku", "Mistral (by Claude)", "Other"}


@pytest.mark.parametrize(
    "data",
    [
        {"count": 3, "next": None, "results": [{"name": "Ünïcode ✓", "price": "1.500000"}]},
        {"when": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "day": date(2026, 1, 2)},
        {"money": Decimal("1.5"), "lazy": gettext_lazy("Name"), "sep": "a\u2028b\u2029c"},
        [1, 2.5, True, None, {"nested": ["x"]}, -(2**62)],
    ],
)
def test_orjson_writes_drf_json_bytes(data):
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_the_model_list_answers_drf_json_bytes():
    AIModelFactory(name="Ünïcode\u2028model")
    api = token_client(UserFactory())
    response = api.get(LIST)
    assert response.content == JSONRenderer().render(json.loads(response.content))
    assert api.get(LIST).content == response.content  # and the kept answer


@on_postgres
@pytest.mark.postgres
def test_import_models_refreshes_planner_statistics(tmp_path):
    from django.core.management import call_command

    cost_map = tmp_path / "map.json"
    cost_map.write_text(
        json.dumps(
            {
                f"openai/model-{n}": {
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "input_cost_per_token": 0.000001,
                    "output_cost_per_token": 0.000002,
                }
                for n in range(50)
            }
        )
    )
    call_command("import_models", file=str(cost_map), verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_aimodel'")
        (after,) = cursor.fetchone()
    # Unanalyzed, the planner would go on with -1 (never analyzed) or another test's 100,000.
    assert after == AIModel.objects.count() == 50

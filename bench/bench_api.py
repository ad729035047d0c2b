"""API model list at 10,000 models: DRF endpoint vs. a bare `.values()` + JsonResponse floor.

The floor answers the same page with the same information (count, the row columns, each row's
specialties) through a bare Django view with no authentication, content negotiation or
filterset, running the same queries the API runs; API/floor is then the price of the API's
machinery. The naive floor (one `.values()` page dragging its joins through the sort) shows
what that query plan saves.
"""

import random
import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import F, QuerySet
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.test.utils import override_settings, setup_databases, teardown_databases
from django.urls import include, path
from rest_framework.authtoken.models import Token

from accounts.models import User
from bench.__main__ import Timing, measure
from catalog.api.serializers import MODEL_COLUMNS
from catalog.choices import ModelStatus, PriceSource
from catalog.models import AIModel, Specialty, Vendor

MODELS = 10_000
PAGE = 100
SAMPLES = 80
FILTERED = "status=approved&max_input_price=20&ordering=-context_window"


def seed_catalog(size: int, *, seed: int = 7) -> list[int]:
    """`size` models over size/50 vendors, two specialties each, some unpriced; returns ids."""
    rng = random.Random(seed)
    vendors = Vendor.objects.bulk_create(
        Vendor(slug=f"bench-vendor-{i}", name=f"Bench vendor {i}", price_source=PriceSource.MANUAL)
        for i in range(max(2, size // 50))
    )
    statuses = [ModelStatus.APPROVED] * 3 + [ModelStatus.UNDER_REVIEW, ModelStatus.DEPRECATED]
    models = []
    for i in range(size):
        priced = i % 7 != 0
        models.append(
            AIModel(
                vendor=vendors[i % len(vendors)],
                name=f"Bench model {i:05d}",
                slug=f"bench-model-{i:05d}",
                vendor_model_id=f"bench-model-{i:05d}",
                price_source_key=f"bench-model-{i:05d}",
                family=f"family-{i % 40}",
                parameters=rng.choice([None, 7_000_000_000, 70_000_000_000, 400_000_000_000]),
                context_window=rng.choice([8_192, 32_768, 128_000, 200_000, 1_000_000]),
                max_output_tokens=8_192,
                input_modalities=["text"],
                output_modalities=["text"],
                input_price_per_mtok=Decimal(rng.randint(5, 30_000)) / 1000 if priced else None,
                output_price_per_mtok=Decimal(rng.randint(5, 60_000)) / 1000 if priced else None,
                regions=["eu", "us"] if i % 3 else ["us"],
                status=statuses[i % len(statuses)],
                release_date=date(2024, 1, 1) + timedelta(days=i % 700),
            )
        )
    created = AIModel.objects.bulk_create(models, batch_size=1000)
    ids = [m.pk for m in created]  # PostgreSQL and SQLite both return the new ids
    # Two or three specialties per model, linked in one statement: 20,000 ORM objects would
    # cost more than the rest of the seed.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(AIModel.specialties.through._meta.db_table)} "
            "(aimodel_id, specialty_id) "
            f"SELECT m.id, s.id FROM {quote(AIModel._meta.db_table)} m "
            f"CROSS JOIN {quote(Specialty._meta.db_table)} s "
            "WHERE m.id BETWEEN %s AND %s AND (m.id + s.id) %% 4 = 0",
            [min(ids), max(ids)],
        )
    return ids


def _filtered(request: HttpRequest) -> QuerySet[AIModel]:
    models = AIModel.objects.all()
    if status := request.GET.get("status"):
        models = models.filter(status=status)
    if price := request.GET.get("max_input_price"):
        models = models.filter(input_price_per_mtok__lte=Decimal(price))
    if request.GET.get("ordering") == "-context_window":
        models = models.order_by(F("context_window").desc(nulls_last=True), "id")
    return models


def _with_specialties(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    specialties: dict[int, list[str]] = defaultdict(list)
    links = AIModel.specialties.through.objects.filter(
        aimodel_id__in=[r["id"] for r in rows]
    ).values_list("aimodel_id", "specialty__slug")
    for model_id, slug in links:
        specialties[model_id].append(slug)
    for row in rows:
        row["specialties"] = specialties[row["id"]]
    return rows


@login_not_required
def floor_view(request: HttpRequest) -> JsonResponse:
    """The API's queries written by hand (count, page of ids, rows by id, specialties)."""
    models = _filtered(request)
    ids = list(models.values_list("pk", flat=True)[:PAGE])
    rows = {r["id"]: r for r in AIModel.objects.filter(pk__in=ids).values(*MODEL_COLUMNS)}
    page = _with_specialties([rows[pk] for pk in ids])
    return JsonResponse({"count": models.count(), "results": page})


@login_not_required
def naive_floor_view(request: HttpRequest) -> JsonResponse:
    """The obvious version: one `.values()` page with its joins, count, specialties."""
    models = _filtered(request)
    page = _with_specialties(list(models.values(*MODEL_COLUMNS)[:PAGE]))
    return JsonResponse({"count": models.count(), "results": page})


urlpatterns = [
    path("bench/floor/", floor_view),
    path("bench/naive/", naive_floor_view),
    path("", include("modelshelf.urls")),
]


def _interleaved(*calls: Callable[[], None]) -> list[Timing]:
    """p50/p95 of each call, sampled in turn (A, B, C, A, B, C…) so that bursts of load on a
    shared machine hit every call alike."""
    for call in calls:
        measure(call, repeat=1)  # warm-up
    samples = [[measure(call, repeat=1, warmup=0).p50_ms for call in calls] for _ in range(SAMPLES)]
    timings = []
    for column in zip(*samples, strict=True):
        ordered = sorted(column)
        timings.append(Timing(statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]))
    return timings


def _get(client: Client, url: str, **headers: str):
    def call() -> None:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])

    return call


def run() -> None:
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(f"database: {connection.vendor}, throttle cache: {cache}, seeding {MODELS:,} models…")
        seed_catalog(MODELS)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would: plans from real statistics
        token = Token.objects.create(user=User.objects.create_user("bench")).key
        client = Client()
        auth = {"Authorization": f"Token {token}"}
        with override_settings(ROOT_URLCONF=__name__):
            for query in ("", f"&{FILTERED}"):
                url = f"/api/v1/models/?page_size={PAGE}{query}"
                api, floor, naive = _interleaved(
                    _get(client, url, **auth),
                    _get(client, f"/bench/floor/?{query}"),
                    _get(client, f"/bench/naive/?{query}"),
                )
                print(f"GET {url}")
                print(f"  API (token auth, DRF, filterset) {api}")
                print(f"  floor: same queries, bare view   {floor}")
                print(f"  naive floor: one .values() page  {naive}")
                print(
                    f"  ratio API/floor p50 {api.p50_ms / floor.p50_ms:.2f}  p95 "
                    f"{api.p95_ms / floor.p95_ms:.2f}  (target <= 1.3);  API/naive p50 "
                    f"{api.p50_ms / naive.p50_ms:.2f}"
                )
    finally:
        teardown_databases(old_config, verbosity=0)

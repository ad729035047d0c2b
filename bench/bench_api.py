"""The catalog over HTTP at 10,000 and 100,000 models: the app against its floors.

Everything is served as a user deploys it: gunicorn with 2 sync workers on loopback, DEBUG off,
token auth and throttling on the Redis cache the settings name. The raw floor (bench/floor_raw:
one SQL statement per page via psycopg, rows to orjson, no framework) is what the database
costs; the bare-Django floor (the app's list queries in a bare view) tells the framework's
share. The catalog is LiteLLM's bundled cost map imported over synthetic models; the import
runs last, as on a real install, so its ANALYZE is what the planner works from.

At 10,000 models the list is also measured against MLflow's model registry serving the same
catalog (bench/mlflow_registry.py). A fleet of 2,000 gateways polls the allow-lists of 20 units
every 10 s (200 requests/s of 304s) while tools read the list at 100 requests/s.

`BENCH_API_ONLY=304` measures only the allow-list's 304 and the fleet (at both sizes),
skipping the list, filter, search and page lines and the load runs; `BENCH_API_ONLY=page` only
the catalog page; `BENCH_API_ONLY=mlflow` only the list against MLflow.
"""

import http.client
import os
import random
import statistics
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.management import call_command
from django.db import connection
from django.db.models import F, QuerySet
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.urls import include, path
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import BusinessUnit, User
from bench import mlflow_registry
from bench.__main__ import ROOT, Timing, measure
from bench.served import CONNECTIONS, Target, gunicorn, paced, sequential, throughput
from catalog.api.model_fields import MODEL_COLUMNS
from catalog.choices import ModelStatus, PriceSource
from catalog.models import Adoption, AIModel, Specialty, Vendor

SYNTHETIC = 5_200  # with the ~4,800 models of the bundled LiteLLM map: about 10,000
PAGE = 100
SAMPLES = 60
POLL_SAMPLES = 300  # a 304 takes 2 ms: five times the samples, for a steadier p50
FILTERS = "specialty=chat&max_input_price=5&ordering=-context_window"
ONLY = os.environ.get("BENCH_API_ONLY", "")
LIST_P50 = 1.5  # issue 29: the list's p50 at most 1.5× the raw floor's
LIST_SHARE = 0.6  # and its throughput at least 0.6× the raw floor's
POLL_P50 = 1.5  # the allow-list's 304 at most 1.5× the authenticated raw floor's
FLEET_UNITS, FLEET_GATEWAYS, POLL_SECONDS, LIST_RATE = 20, 2_000, 10, 100


def seed_catalog(size: int, *, seed: int = 7, start: int = 0) -> list[int]:
    """`size` models over size/50 vendors, two specialties each, some unpriced; returns ids.
    `start` numbers a later batch after an earlier one."""
    rng = random.Random(seed)
    vendors = Vendor.objects.bulk_create(
        Vendor(slug=f"bench-vendor-{i}", name=f"Bench vendor {i}", price_source=PriceSource.MANUAL)
        for i in range(start // 50, start // 50 + max(2, size // 50))
    )
    statuses = [ModelStatus.APPROVED] * 3 + [ModelStatus.UNDER_REVIEW, ModelStatus.DEPRECATED]
    models = []
    for i in range(start, start + size):
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


urlpatterns = [
    path("bench/floor/", floor_view),
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


def _scenarios(app: int, raw: int, token: str) -> list[tuple[str, Target, Target, float]]:
    """(label, app request, its raw floor, target p50 ratio) for the three API queries."""
    auth = {"Authorization": f"Token {token}"}
    api = f"/api/v1/models/?page_size={PAGE}"
    return [
        (f"GET {api}", Target(app, api, auth), Target(raw, f"/page/list/?size={PAGE}"), LIST_P50),
        (
            f"GET {api}&{FILTERS}",
            Target(app, f"{api}&{FILTERS}", auth),
            Target(raw, f"/page/filtered/?size={PAGE}"),
            3.0,
        ),
        (
            f"GET {api}&search=claude",
            Target(app, f"{api}&search=claude", auth),
            Target(raw, f"/page/search/?size={PAGE}&q=claude"),
            3.0,
        ),
    ]


def _line(label: str, timing: Timing, rate: str = "") -> None:
    print(f"  {label:<44} {timing}{rate}")


def _ratio(app: Timing, floor: Timing, target: float) -> str:
    ratio = app.p50_ms / floor.p50_ms
    return f"ratio p50 {ratio:.2f} (target <= {target}: {'ok' if ratio <= target else 'MISSED'})"


def _allow_list(size: int, *, slug: str = "bench-unit") -> str:
    """A unit with `size` active adoptions of approved models; returns its slug."""
    unit = BusinessUnit.objects.create(slug=slug, name=slug.replace("-", " ").capitalize())
    now = timezone.now()
    models = AIModel.objects.filter(status=ModelStatus.APPROVED).order_by("id")[:size]
    Adoption.objects.bulk_create(
        Adoption(
            unit=unit,
            model=model,
            use_case="bench",
            approved_at=now,
            expires_at=now + timedelta(days=365),
            expected_monthly_input_tokens=1_000_000,
        )
        for model in models
    )
    return unit.slug


def _measure(
    app: int, raw: int, *, session: str, unit: str, fleet: list[Target]
) -> dict[str, float]:
    """Print every line at the current catalog size; returns the app's p50 per request."""
    p50s: dict[str, float] = {}
    token = Token.objects.create(user=User.objects.create_user(f"bench-{uuid.uuid4().hex}")).key
    if not ONLY:
        p50s.update(_lists(app, raw, token=token))
    if ONLY in ("", "page"):
        p50s["page"] = _page(app, raw, session=session)
    if ONLY in ("", "304"):
        p50s["allow-list 304"] = _not_modified(app, raw, token=token, unit=unit)
        _fleet(app, fleet, token=token)
    return p50s


def _lists(app: int, raw: int, *, token: str) -> dict[str, float]:
    """The three API lines; the app's p50 per request."""
    p50s: dict[str, float] = {}
    for label, api, floor, target in _scenarios(app, raw, token):
        targets = [api, floor]
        if api.path.endswith(f"page_size={PAGE}"):
            targets.append(Target(app, f"/bench/floor/?page_size={PAGE}"))
        timings = sequential(targets, SAMPLES)
        print(label)
        _line("raw floor (1 SQL, psycopg, orjson, gunicorn)", timings[1])
        if len(timings) == 3:
            _line("bare-Django floor (the API's queries)", timings[2])
        _line("API (token auth, throttle, Redis cache)", timings[0])
        print(f"  {_ratio(timings[0], timings[1], target)}")
        if len(timings) == 3:
            (api_rate, tool), (floor_rate, _) = throughput(api), throughput(floor)
            share = api_rate / floor_rate
            verdict = "ok" if share >= LIST_SHARE else "MISSED"
            print(
                f"  throughput at {CONNECTIONS} connections ({tool}): API {api_rate:.0f} req/s, "
                f"raw floor {floor_rate:.0f} req/s: {share:.2f}× "
                f"(target >= {LIST_SHARE}: {verdict})"
            )
        p50s[label] = timings[0].p50_ms
    return p50s


def _page(app: int, raw: int, *, session: str) -> float:
    """The catalog page line; the page's p50."""
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    page, floor = sequential(
        [Target(app, f"/?{FILTERS}", cookie), Target(raw, "/page/page/?size=50")], SAMPLES
    )
    print(f"GET /?{FILTERS} (catalog page, 50 rows)")
    _line("raw floor (1 SQL, psycopg, orjson, gunicorn)", floor)
    _line("catalog page (session, templates)", page)
    print(f"  {_ratio(page, floor, 3.0)}")
    return page.p50_ms


def _not_modified(app: int, raw: int, *, token: str, unit: str) -> float:
    """The allow-list's 304 against its floor's, beside what any answer from the app costs
    (/healthz: Django and its middleware, no auth, `SELECT 1`) and what any authenticated,
    throttled answer costs without a framework (the floor after a token lookup and a Redis
    throttle script); the app's p50."""
    path = f"/api/v1/business-units/{unit}/models/"
    auth = {"Authorization": f"Token {token}"}
    etag = http_etag(Target(app, path, auth))
    floor_etag = http_etag(Target(raw, f"/allow-list/{unit}/"))
    not_modified, floor, django, signed = sequential(
        [
            Target(app, path, {**auth, "If-None-Match": etag}, 304),
            Target(raw, f"/allow-list/{unit}/", {"If-None-Match": floor_etag}, 304),
            Target(app, "/healthz"),
            Target(raw, f"/allow-list-auth/{unit}/", {**auth, "If-None-Match": floor_etag}, 304),
        ],
        POLL_SAMPLES,
    )
    print(f"GET {path} with If-None-Match (304)")
    _line("raw floor (1 SQL, hash, 304)", floor)
    _line("Django's own floor (/healthz: SELECT 1)", django)
    _line("raw floor + token SQL + Redis throttle", signed)
    _line("API 304", not_modified)
    print(
        f"  API / raw floor {not_modified.p50_ms / floor.p50_ms:.2f}, "
        f"/healthz / raw floor {django.p50_ms / floor.p50_ms:.2f}"
    )
    # Issue 29: a 304 is held against what any authenticated, throttled answer costs.
    print(f"  against the authenticated raw floor: {_ratio(not_modified, signed, POLL_P50)}")
    return not_modified.p50_ms


def _fleet(app: int, gateways: list[Target], *, token: str) -> None:
    """Gateways polling their units' allow-lists with their ETags (each 304), paced, while
    tools read the first page of the list: p50/p95 of each, from when each call was due."""
    listing = Target(app, f"/api/v1/models/?page_size={PAGE}", {"Authorization": f"Token {token}"})
    rate = FLEET_GATEWAYS / POLL_SECONDS
    polls, lists = paced([(gateways, rate), ([listing], LIST_RATE)])
    print(
        f"{FLEET_GATEWAYS:,} gateways polling every {POLL_SECONDS} s ({rate:.0f} 304s/s) "
        f"while the list serves {LIST_RATE} req/s"
    )
    _line("allow-list 304s", polls)
    _line("the list meanwhile", lists)
    verdict = "ok" if polls.p95_ms <= 10 else "MISSED"
    print(f"  304 p95 {polls.p95_ms:.2f} ms (target <= 10 ms: {verdict})")


def _gateways(app: int) -> list[Target]:
    """FLEET_GATEWAYS gateways, each with its own token, over FLEET_UNITS units of 30 models;
    each gateway's poll, with the ETag its unit's allow-list answers."""
    units = [_allow_list(30, slug=f"bench-fleet-{i}") for i in range(FLEET_UNITS)]
    users = User.objects.bulk_create(
        User(username=f"bench-gateway-{i}") for i in range(FLEET_GATEWAYS)
    )
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    etags: dict[str, str] = {}
    polls = []
    for i, token in enumerate(tokens):
        unit = units[i % len(units)]
        path = f"/api/v1/business-units/{unit}/models/"
        auth = {"Authorization": f"Token {token.key}"}
        etag = etags.get(unit) or etags.setdefault(unit, http_etag(Target(app, path, auth)))
        polls.append(Target(app, path, {**auth, "If-None-Match": etag}, 304))
    return polls


def _against_mlflow(app: int) -> None:
    """The list's first page here and in MLflow's registry holding the same models, one
    system at a time: ours before the registry starts (its server and the copy of the
    catalog into its database would be billed to ours), then the registry's."""
    mlflow = mlflow_registry.installed()
    if mlflow is None:
        print("against MLflow: not measured (MLflow could not be installed)")
        return
    token = Token.objects.create(user=User.objects.create_user(f"bench-{uuid.uuid4().hex}")).key
    api = Target(app, f"/api/v1/models/?page_size={PAGE}", {"Authorization": f"Token {token}"})
    # Each loaded first: its caches and its database's are as warm as a day's traffic leaves them.
    (our_rate, tool), (ours,) = throughput(api), sequential([api], SAMPLES)
    with mlflow_registry.registry(mlflow) as (port, database):
        models = mlflow_registry.load_catalog(database)
        registry = Target(port, f"{mlflow_registry.SEARCH}?max_results={PAGE}")
        (their_rate, _), (theirs,) = throughput(registry), sequential([registry], SAMPLES)
    print(f"GET {PAGE} models against MLflow's registry search ({models:,} registered models)")
    _line("MLflow 3.17 (uvicorn, 2 workers)", theirs)
    _line("API", ours)
    faster, busier = theirs.p50_ms / ours.p50_ms, our_rate / their_rate
    print(
        f"  p50 {faster:.1f}× faster; {our_rate:.0f} against {their_rate:.0f} req/s at "
        f"{CONNECTIONS} connections ({tool}): {busier:.1f}× "
        f"(target >= 10 both: {'ok' if min(faster, busier) >= 10 else 'MISSED'})"
    )


def http_etag(target: Target) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
    try:
        connection.request("GET", target.path, headers=target.headers)
        response = connection.getresponse()
        response.read()
        return response.headers["ETag"]
    finally:
        connection.close()


def _import_models() -> None:
    """The bundled LiteLLM map, as `import_models` runs it (its ANALYZE included); then a
    checkpoint, so that the seeding's dirty pages are on disk before anything is timed. Left
    to PostgreSQL, the checkpoint the 90,000 models' WAL starts spreads its writes over the
    next 30 s, the very seconds of the 100,000-model lines (the fleet's 304 p95 read 19-39 ms
    in them against 5 ms after it)."""
    call_command("import_models", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


def run() -> None:
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        seed_catalog(SYNTHETIC)
        _import_models()
        unit = _allow_list(30)
        client = Client()
        client.force_login(User.objects.create_user("bench-page"))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        db = connection.settings_dict
        dsn = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = {
            "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
            "DATABASE_URL": dsn,
            "FLOOR_DSN": dsn,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Throttled as in production (the same Redis script per call), at a rate one
            # bench token's thousands of calls a minute stay under.
            "API_THROTTLE_RATE": "1000000/min",
        }
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        manage = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
        subprocess.run(manage, cwd=ROOT, env={**os.environ, **env}, check=True)
        with (
            gunicorn("modelshelf.wsgi", env, ready_path="/healthz") as app,
            gunicorn("bench.floor_raw:application", env, ready_path="/page/list/?size=1") as raw,
        ):
            fleet = _gateways(app) if ONLY in ("", "304") else []
            sizes = {}
            for extra in (0, 90_000):
                if extra:
                    seed_catalog(extra, start=SYNTHETIC)
                    _import_models()
                total = AIModel.objects.count()
                print(
                    f"== {total:,} models ({connection.vendor}, cache {cache}, after import_models)"
                )
                if ONLY == "mlflow":
                    _against_mlflow(app)
                    return
                sizes[total] = _measure(app, raw, session=session, unit=unit, fleet=fleet)
                if not extra and not ONLY:
                    _against_mlflow(app)
            (small, at_small), (large, at_large) = sizes.items()
            print(f"== scale: p50 at {large:,} / p50 at {small:,} models (target <= 1.5)")
            for label, p50 in at_small.items():
                growth = at_large[label] / p50
                print(f"  {label:<78} {growth:.2f} {'ok' if growth <= 1.5 else 'MISSED'}")
    finally:
        teardown_databases(old_config, verbosity=0)

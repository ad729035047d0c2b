# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""The model list's kept answers (issue 29): a URL asked again while the catalog is unchanged is
answered with the bytes sent before, after authentication and throttling, without a query;
anything that changes the catalog (a price, a status, a price check, a retirement) shows on
the very next call."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.api import list_answers
from catalog.choices import ModelStatus
from catalog.models import AIModel
from catalog.services.prices import prices_sync
from tests.catalog.api_support import adopt, token_client
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    catalog_on_fake,
    fake_vendor,
    free_port,
)
from tests.factories import AIModelFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="answers are kept where statements are: on PostgreSQL",
    ),
]
URL = "/api/v1/models/?page_size=5&ordering=name"


@pytest.fixture(autouse=True)
def no_answers_from_other_tests():
    list_answers.forget()
    yield
    list_answers.forget()


@pytest.fixture
def catalog(db):
    return [
        AIModelFactory(slug=f"model-{i}", name=f"Model {i}", input_price_per_mtok=Decimal(i + 1))
        for i in range(8)
    ]


@pytest.fixture
def api(db):
    return token_client(UserFactory())


def row(response, slug):
    return next(m for m in response.json()["results"] if m["slug"] == slug)


def test_a_url_asked_again_is_answered_with_the_same_bytes_and_only_the_tokens_query(api, catalog):
    first = api.get(URL)
    with CaptureQueriesContext(connection) as queries:
        again = api.get(URL)
    assert [q["sql"][:40] for q in queries] == [queries[0]["sql"][:40]]
    assert "authtoken_token" in queries[0]["sql"]
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert len(list_answers._kept) == 1


def test_a_price_change_by_a_catalog_admin_shows_on_the_next_call(api, catalog, catalog_admin):
    api.get(URL)
    admin = token_client(catalog_admin)
    changed = admin.patch(
        "/api/v1/models/model-1/", {"input_price_per_mtok": "9.5"}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.content
    assert row(api.get(URL), "model-1")["input_price_per_mtok"] == "9.500000"


def test_a_status_change_and_a_retirement_show_on_the_next_call(api, catalog):
    api.get(URL)
    model = AIModel.objects.get(slug="model-2")
    model.status = ModelStatus.DEPRECATED
    model.save()
    assert row(api.get(URL), "model-2")["status"] == "deprecated"
    model.status, model.retirement_date = ModelStatus.RETIRED, timezone.localdate()
    model.save()
    assert row(api.get(URL), "model-2")["status"] == "retired"


def test_a_price_sync_that_finds_prices_equal_shows_their_new_check_time(api, catalog_on_fake):
    url = "/api/v1/models/?page_size=500"
    before = {m["slug"]: m["price_checked_at"] for m in api.get(url).json()["results"]}
    assert prices_sync().changed == 0
    after = {m["slug"]: m["price_checked_at"] for m in api.get(url).json()["results"]}
    checked = [slug for slug in before if after[slug] != before[slug]]
    assert len(checked) == 40, checked  # every synced model: its price was checked just now


def test_authentication_runs_before_a_kept_answer(api, catalog):
    api.get(URL)
    Token.objects.all().delete()
    assert api.get(URL).status_code == 401


def test_the_answer_names_the_host_it_was_asked_on(api, catalog, settings):
    settings.ALLOWED_HOSTS = ["testserver", "catalog.example.com"]
    here = api.get(URL, headers={"Host": "testserver"})
    there = api.get(URL, headers={"Host": "catalog.example.com"})
    assert row(here, "model-1")["url"].startswith("http://testserver/")
    assert row(there, "model-1")["url"].startswith("http://catalog.example.com/")


def test_a_list_that_depends_on_the_moment_is_never_kept(api, catalog, unit):
    adopt(unit, catalog[1], days_left=1)
    response = api.get("/api/v1/models/?business_unit=marketing")
    assert [m["slug"] for m in response.json()["results"]] == ["model-1"]
    assert list_answers._kept == {}


def test_a_flushed_cache_never_revives_an_answer_kept_before_it(api, catalog):
    api.get(URL)
    AIModel.objects.filter(slug="model-3").update(input_price_per_mtok=Decimal("42"))
    cache.clear()  # the generation is gone: a new one must not equal the old
    assert row(api.get(URL), "model-3")["input_price_per_mtok"] == "42.000000"


def test_a_write_nothing_announced_shows_once_the_answer_is_max_age_old(api, catalog, monkeypatch):
    api.get(URL)
    AIModel.objects.filter(slug="model-4").update(input_price_per_mtok=Decimal("43"))
    assert row(api.get(URL), "model-4")["input_price_per_mtok"] == "5.000000"  # kept
    monkeypatch.setattr(list_answers, "MAX_AGE", -1.0)
    assert row(api.get(URL), "model-4")["input_price_per_mtok"] == "43.000000"


def test_kept_answers_are_bounded_in_bytes_the_least_recently_used_going(api, catalog, monkeypatch):
    sizes = {}
    for size in (1, 2, 3):
        sizes[size] = len(api.get(f"/api/v1/models/?page_size={size}").content)
    monkeypatch.setattr(list_answers, "KEPT_BYTES", sizes[2] + sizes[3])
    list_answers.forget()
    for size in (1, 2, 1, 3):  # 2 is the least recently used when 3 comes
        api.get(f"/api/v1/models/?page_size={size}")
    kept = sorted(key[1].rsplit("=", 1)[1] for key in list_answers._kept)
    assert kept == ["1", "3"]
    assert list_answers._size == sizes[1] + sizes[3]


def test_tomorrow_is_another_key_for_the_lifecycle_filter_reads_the_date(api, catalog, monkeypatch):
    api.get(URL)
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    api.get(URL)
    assert {key[0] for key in list_answers._kept} == {tomorrow, tomorrow - timedelta(days=1)}

"""The model list's kept page statements (issue 14): a call with parameters seen before runs
the statement compiled then, and answers exactly what a fresh one does; anything that changes
what the statement means (a slug, the count it was cut at, the moment) compiles it again."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.api import compiled_pages, list_answers
from catalog.models import AIModel, Specialty
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, UserFactory, VendorFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="statements are kept on PostgreSQL only",
    ),
]
URLS = [
    "/api/v1/models/",
    "/api/v1/models/?page_size=3",
    "/api/v1/models/?page_size=3&page=2",
    "/api/v1/models/?page_size=3&page=4",
    "/api/v1/models/?specialty=chat&max_input_price=5&ordering=-context_window",
    "/api/v1/models/?vendor=acme&ordering=-blended_price,name",
    "/api/v1/models/?search=model&lifecycle=deprecating",
    "/api/v1/models/?status=approved&region=eu&data_classification=internal",
]


@pytest.fixture
def catalog():
    compiled_pages.forget()
    chat = Specialty.objects.get_or_create(slug="chat", defaults={"name": "Chat"})[0]
    acme, other = VendorFactory(slug="acme"), VendorFactory(slug="other")
    soon = timezone.localdate() + timedelta(days=30)
    for i in range(10):
        model = AIModelFactory(
            slug=f"model-{i}",
            name=f"Model {i}",
            vendor=acme if i % 2 else other,
            input_price_per_mtok=Decimal(i) if i % 3 else None,
            context_window=1000 * (10 - i),
            deprecation_date=soon if i % 4 == 0 else None,
            regions=["eu"] if i % 2 else ["us"],
        )
        if i % 2 == 0:
            model.specialties.add(chat)
    yield
    compiled_pages.forget()


@pytest.fixture(autouse=True)
def no_answers_kept(monkeypatch):
    """These tests are about the statements: no whole answer is kept in front of them."""
    monkeypatch.setattr(list_answers, "KEPT_BYTES", 0)


@pytest.fixture
def api(db):
    return token_client(UserFactory())


def test_a_kept_statement_answers_exactly_what_a_fresh_one_does(api, catalog):
    for url in URLS:
        fresh = api.get(url)
        assert fresh.status_code == 200 and fresh.json()["count"], (url, fresh.content[:300])
        with CaptureQueriesContext(connection) as kept:
            again = api.get(url)
        assert len(kept) == 2, (url, [q["sql"][:80] for q in kept])  # the token, the page
        assert again.content == fresh.content, url
    assert len(compiled_pages._kept) == len(URLS)


def test_rows_are_read_fresh_so_a_raw_price_change_shows_at_once(api, catalog):
    url = "/api/v1/models/?ordering=name"
    api.get(url)
    AIModel.objects.filter(slug="model-1").update(input_price_per_mtok=Decimal("7.5"))
    row = next(m for m in api.get(url).json()["results"] if m["slug"] == "model-1")
    assert row["input_price_per_mtok"] == "7.500000"


def test_a_renamed_specialty_compiles_again(api, catalog, django_capture_on_commit_callbacks):
    url = "/api/v1/models/?specialty=chat"
    assert api.get(url).json()["count"] == 5
    with django_capture_on_commit_callbacks(execute=True):  # the catalog generation moves
        Specialty.objects.filter(slug="chat").update(slug="dialog")
        Specialty.objects.get(slug="dialog").save()
    refused = api.get(url)
    assert refused.status_code == 400 and "specialty" in refused.json()
    assert api.get("/api/v1/models/?specialty=dialog").json()["count"] == 5


def test_a_new_model_changes_the_count_and_the_page(
    api, catalog, django_capture_on_commit_callbacks
):
    url = "/api/v1/models/?page_size=3&page=4"
    before = api.get(url).json()
    with django_capture_on_commit_callbacks(execute=True):
        AIModelFactory(slug="model-z", name="Model z", vendor=VendorFactory())
    after = api.get(url).json()
    assert after["count"] == before["count"] + 1
    assert [m["slug"] for m in before["results"]] == ["model-9"]
    assert [m["slug"] for m in after["results"]] == ["model-9", "model-z"]


def test_a_statement_that_carries_a_moment_is_never_kept(api, catalog, unit):
    adopt(unit, AIModel.objects.get(slug="model-1"), days_left=1)
    url = "/api/v1/models/?business_unit=marketing"
    assert [m["slug"] for m in api.get(url).json()["results"]] == ["model-1"]
    assert compiled_pages._kept == {}


def test_at_most_so_many_statements_are_kept_the_least_recently_used_going(
    api, catalog, monkeypatch
):
    monkeypatch.setattr(compiled_pages, "KEPT", 3)
    for size in (1, 2, 3, 1, 4):  # the second call for 1 reuses it: 2 is the oldest then
        api.get(f"/api/v1/models/?page_size={size}")
    sizes = [dict(key[1])["page_size"] for key in compiled_pages._kept]
    assert sizes == [("3",), ("1",), ("4",)]

"""A model's price ledger (with the price in force on a day) and its availability with uptime."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.choices import AvailabilityStatus, PriceSource
from catalog.models import AvailabilityCheck, PriceObservation
from tests.catalog.api_support import token_client
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(UserFactory(username="reader"))


@pytest.fixture
def ledger(db):
    model = AIModelFactory(slug="m")
    for day, price in [(1, "3"), (10, "2.5"), (20, "2")]:
        PriceObservation.objects.create(
            model=model,
            observed_at=datetime(2026, 3, day, 15, 0, tzinfo=UTC),
            input_price_per_mtok=Decimal(price),
            output_price_per_mtok=Decimal(price) * 2,
            source=PriceSource.LITELLM,
        )
    return model


def test_price_ledger_lists_newest_first(api, ledger):
    body = api.get("/api/v1/models/m/prices/").json()
    assert body["count"] == 3
    assert [p["input_price_per_mtok"] for p in body["results"]] == [
        "2.000000",
        "2.500000",
        "3.000000",
    ]
    assert body["results"][0] == {
        "observed_at": "2026-03-20T15:00:00Z",
        "input_price_per_mtok": "2.000000",
        "output_price_per_mtok": "4.000000",
        "cache_read_price_per_mtok": None,
        "cache_write_price_per_mtok": None,
        "long_context_threshold": None,
        "long_context_input_price_per_mtok": None,
        "long_context_output_price_per_mtok": None,
        "price_unit": "per_mtok",
        "source": "litellm",
    }


@pytest.mark.parametrize(
    ("day", "price"),
    [
        ("2026-03-01", "3.000000"),  # changed that afternoon: in force by the end of the day
        ("2026-03-09", "3.000000"),
        ("2026-03-10", "2.500000"),
        ("2026-03-19", "2.500000"),
        ("2026-04-30", "2.000000"),
    ],
)
def test_price_at_a_date_is_the_one_in_force_that_day(api, ledger, day, price):
    response = api.get(f"/api/v1/models/m/prices/?at={day}")
    assert response.status_code == 200
    assert response.json()["input_price_per_mtok"] == price


def test_no_price_before_the_ledger_starts_is_404_saying_so(api, ledger):
    response = api.get("/api/v1/models/m/prices/?at=2026-02-28")
    assert response.status_code == 404
    assert "2026-02-28" in response.json()["detail"]


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "2026-03-01%00", "99999-01-01", "-1"])
def test_malformed_date_is_400_naming_at(api, ledger, bad):
    response = api.get(f"/api/v1/models/m/prices/?at={bad}")
    assert response.status_code == 400
    assert list(response.json()) == ["at"]


def test_extreme_dates_do_not_break(api, ledger):
    assert api.get("/api/v1/models/m/prices/?at=9999-12-31").status_code == 200
    assert api.get("/api/v1/models/m/prices/?at=0001-01-01").status_code == 404


def test_ledgers_of_unknown_models_are_404(api):
    assert api.get("/api/v1/models/nope/prices/").status_code == 404
    assert api.get("/api/v1/models/nope/availability/").status_code == 404


def test_catalog_filters_do_not_apply_to_one_models_ledger(api, ledger):
    response = api.get("/api/v1/models/m/prices/?status=nonsense&vendor=nobody")
    assert response.status_code == 200


def _change(model, ago: timedelta, status: str, now: datetime) -> None:
    AvailabilityCheck.objects.create(
        model=model, checked_at=now - ago, status=status, latency_ms=100, http_status=200
    )


def test_availability_lists_changes_newest_first_with_uptime(api):
    model = AIModelFactory(slug="m")
    now = timezone.now()
    # Up since 40 days ago; down for 6 hours starting 3 days ago; degraded for the last hour.
    _change(model, timedelta(days=40), AvailabilityStatus.UP, now)
    _change(model, timedelta(days=3), AvailabilityStatus.DOWN, now)
    _change(model, timedelta(days=3) - timedelta(hours=6), AvailabilityStatus.UP, now)
    _change(model, timedelta(hours=1), AvailabilityStatus.DEGRADED, now)
    body = api.get("/api/v1/models/m/availability/").json()
    assert body["count"] == 4
    assert [c["status"] for c in body["results"]] == ["degraded", "up", "down", "up"]
    assert set(body["results"][0]) == {
        "checked_at",
        "status",
        "latency_ms",
        "http_status",
        "detail",
    }
    uptime = body["uptime"]
    assert uptime["last_24h"] == 100.0  # degraded still answers
    assert uptime["last_7d"] == pytest.approx(100 * (1 - 6 / (7 * 24)), abs=0.01)
    assert uptime["last_30d"] == pytest.approx(100 * (1 - 6 / (30 * 24)), abs=0.01)


def test_uptime_counts_only_known_time(api):
    model = AIModelFactory(slug="m")
    now = timezone.now()
    # First checked 12 hours ago, down for the first 3 of them.
    _change(model, timedelta(hours=12), AvailabilityStatus.DOWN, now)
    _change(model, timedelta(hours=9), AvailabilityStatus.UP, now)
    uptime = api.get("/api/v1/models/m/availability/").json()["uptime"]
    assert uptime == {"last_24h": 75.0, "last_7d": 75.0, "last_30d": 75.0}


def test_uptime_is_null_when_nothing_is_known(api):
    AIModelFactory(slug="m")
    body = api.get("/api/v1/models/m/availability/").json()
    assert body["count"] == 0
    assert body["uptime"] == {"last_24h": None, "last_7d": None, "last_30d": None}

"""Lifecycle badges (issue 15, item 1): the tense follows the date, and the Lifecycle filter."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalog.choices import ModelStatus
from catalog.lifecycle import lifecycle
from tests.factories import AIModelFactory

TODAY = date(2027, 1, 10)
HTMX = {"HX-Request": "true"}


def test_a_future_deprecation_is_announced_in_the_future_tense_with_days_left():
    badge = lifecycle(TODAY + timedelta(days=3), None, "Gemini 3 Flash", "gemini-3-flash", TODAY)
    assert badge.text == "deprecates in 3 days"
    assert badge.level == "ahead" and badge.soon
    assert badge.exact == "2027-01-13"


def test_today_and_tomorrow_read_as_words_not_as_deprecated():
    assert lifecycle(TODAY, None, today=TODAY).text == "deprecates today"
    assert lifecycle(TODAY + timedelta(days=1), None, today=TODAY).text == "deprecates tomorrow"


def test_a_far_deprecation_reads_as_a_date_and_is_not_soon():
    badge = lifecycle(date(2027, 9, 1), None, today=TODAY)
    assert badge.text == "deprecates 1 Sep 2027"
    assert not badge.soon


def test_only_a_passed_date_reads_deprecated_and_the_retirement_ahead_is_named():
    badge = lifecycle(date(2027, 1, 2), TODAY + timedelta(days=20), today=TODAY)
    assert badge.text == "Deprecated 2 Jan 2027, retires in 20 days"
    assert badge.level == "past" and badge.soon


def test_a_passed_retirement_reads_retired_and_no_dates_give_no_badge():
    assert lifecycle(date(2026, 6, 1), date(2027, 1, 1), today=TODAY).text == "Retired 1 Jan 2027"
    assert lifecycle(None, None, today=TODAY) is None


@pytest.fixture
def lifecycles(db):
    today = timezone.localdate()
    successor = AIModelFactory(name="Flash Next")
    return {
        "soon": AIModelFactory(
            name="Flash Soon", deprecation_date=today + timedelta(days=3), successor=successor
        ),
        "past": AIModelFactory(
            name="Old Chat",
            status=ModelStatus.DEPRECATED,
            deprecation_date=today - timedelta(days=5),
        ),
        "steady": successor,
    }


def _names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("deprecating", ["Flash Soon"]), ("deprecated", ["Old Chat"])],
)
def test_the_lifecycle_filter_is_shared_by_the_api_and_the_catalog_page(
    client, member, lifecycles, value, expected
):
    client.force_login(member)
    api = client.get("/api/v1/models/", {"lifecycle": value, "ordering": "name"})
    assert _names(api) == expected
    page = client.get("/", {"lifecycle": value, "status": "any"}, headers=HTMX)
    rows = page.content.decode()
    for model in lifecycles.values():
        assert (f'<th scope="row"><a href="/models/{model.slug}/">' in rows) == (
            model.name in expected
        )


def test_an_unknown_lifecycle_is_a_form_error_not_a_500(client, member, lifecycles):
    client.force_login(member)
    assert client.get("/api/v1/models/", {"lifecycle": "soonish"}).status_code == 400
    assert client.get("/", {"lifecycle": "soonish"}).status_code == 400


def test_the_catalog_row_shows_the_badge_with_its_successor(client, member, lifecycles):
    client.force_login(member)
    html = client.get("/", headers=HTMX).content.decode()
    assert "deprecates in 3 days" in html
    successor = lifecycles["steady"].slug
    assert f'deprecates in 3 days → <a href="/models/{successor}/">Flash Next</a>' in html

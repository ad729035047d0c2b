"""A cost that needs an unknown price is unknown ("unpriced"), never $0, wherever it shows.

DESIGN.md "Truth rules (second wave)": adoptions, forecasts (with how many they could not
price), savings, recommendations and the unit page.
"""

from decimal import Decimal

import pytest

from catalog.models.adoptions import monthly_cost
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
M = 1_000_000


def chat(slug: str, inp: str | None, out: str | None, **fields):
    return AIModelFactory(
        slug=slug,
        name=slug.title(),
        input_price_per_mtok=None if inp is None else Decimal(inp),
        output_price_per_mtok=None if out is None else Decimal(out),
        specialties=["chat"],
        **fields,
    )


@pytest.fixture
def half_priced(db):
    """Input price known, output price unknown."""
    return chat("half-priced", "1", None)


def test_a_cost_needing_an_unknown_price_is_unknown(half_priced):
    assert monthly_cost(half_priced, 10 * M, 1) is None
    no_input_price = chat("no-input-price", None, "1")
    assert monthly_cost(no_input_price, 1, 10 * M) is None


def test_a_price_no_tokens_need_may_stay_unknown(half_priced):
    assert monthly_cost(half_priced, 10 * M, 0) == Decimal("10.00")


def test_an_adoption_needing_an_unknown_price_is_listed_unpriced(outsider, unit, half_priced):
    adopt(unit, half_priced, expected_monthly_input_tokens=10 * M, expected_monthly_output_tokens=M)
    (row,) = (
        token_client(outsider).get("/api/v1/business-units/marketing/models/").json()["results"]
    )
    assert row["estimated_monthly_cost"] is None


def test_the_forecast_says_how_many_adoptions_it_could_not_price(outsider, unit, half_priced):
    adopt(unit, half_priced, expected_monthly_input_tokens=10 * M, expected_monthly_output_tokens=M)
    adopt(unit, chat("priced", "2", "4"), expected_monthly_input_tokens=M)
    api = token_client(outsider)

    for body in (
        api.get("/api/v1/business-units/marketing/").json(),
        api.get("/api/v1/business-units/").json()["results"][0],
    ):
        assert body["forecast_monthly_cost"] == "2.00"
        assert body["unpriced_adoptions"] == 1


def test_the_unit_page_shows_unpriced_never_zero(client, outsider, unit, half_priced):
    adopt(unit, half_priced, expected_monthly_input_tokens=10 * M, expected_monthly_output_tokens=M)
    client.force_login(outsider)
    html = client.get("/business-units/marketing/").content.decode()
    assert '<span class="muted">unpriced</span>' in html
    assert "+ 1 unpriced" in html
    assert "$10.00" not in html


def test_recommendations_exclude_a_model_whose_needed_price_is_unknown(outsider, half_priced):
    chat("priced", "2", "4")
    body = (
        token_client(outsider)
        .get(
            "/api/v1/recommendations/",
            {"specialty": "chat", "monthly_input_tokens": M, "monthly_output_tokens": M},
        )
        .json()
    )
    assert [r["model"]["slug"] for r in body["results"]] == ["priced"]
    assert body["excluded"][0]["model"]["slug"] == "half-priced"
    assert body["excluded"][0]["reasons"] == ["unpriced"]


def test_recommendations_need_only_the_prices_their_volumes_use(outsider, half_priced):
    body = (
        token_client(outsider)
        .get("/api/v1/recommendations/", {"specialty": "chat", "monthly_input_tokens": M})
        .json()
    )
    assert [(r["model"]["slug"], r["estimated_monthly_cost"]) for r in body["results"]] == [
        ("half-priced", "1.00")
    ]


def test_savings_never_count_an_unknown_price_as_free(outsider, unit, half_priced):
    adopt(
        unit,
        chat("current", "2", "4"),
        expected_monthly_input_tokens=M,
        expected_monthly_output_tokens=M,
    )
    body = token_client(outsider).get("/api/v1/business-units/marketing/savings/").json()
    (saving,) = body["results"]
    assert saving["current_monthly_cost"] == "6.00"
    assert saving["alternative"] is None and saving["monthly_saving"] is None
    assert body["total_monthly_saving"] == "0.00"


def test_savings_of_an_adoption_whose_cost_is_unknown_are_unknown(outsider, unit, half_priced):
    chat("cheaper", "0.5", "0.5")
    adopt(unit, half_priced, expected_monthly_input_tokens=M, expected_monthly_output_tokens=M)
    body = token_client(outsider).get("/api/v1/business-units/marketing/savings/").json()
    (saving,) = body["results"]
    assert saving["current_monthly_cost"] is None and saving["monthly_saving"] is None

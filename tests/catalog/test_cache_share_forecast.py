"""An expected cache share on a request, its adoption and the recommender: a cache-heavy use case
is forecast (and ranked) at what it will cost, and no cheaper where the cache price is unknown."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from catalog.models import Adoption, ApprovalRequest
from catalog.services.rightsizing import Need, recommend
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db
M = 1_000_000
REQUESTS = "/api/v1/approval-requests/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def sonnet(cache_read: str | None) -> object:
    return AIModelFactory(
        slug="sonnet",
        name="Sonnet",
        input_price_per_mtok=Decimal("3"),
        output_price_per_mtok=Decimal("15"),
        cache_read_price_per_mtok=None if cache_read is None else Decimal(cache_read),
    )


def file_request(user, **overrides) -> dict:
    body = {
        "model": "sonnet",
        "business_unit": "marketing",
        "use_case": "Answer questions over a long shared manual",
        "data_classification": "internal",
        "expected_monthly_input_tokens": 10 * M,
        "expected_monthly_output_tokens": 1 * M,
    } | overrides
    response = client_for(user).post(REQUESTS, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_cache_heavy_request_is_forecast_at_the_cache_read_price(member, approver):
    sonnet(cache_read="0.30")
    # 10M input at $3 + 1M output at $15 = $45.00 without a cache share.
    assert file_request(member)["estimated_monthly_cost"] == "45.00"
    ApprovalRequest.objects.all().delete()

    # 90 %: 1M uncached at $3 + 9M cache reads at $0.30 + 1M output at $15 = $20.70.
    created = file_request(member, expected_cache_share="0.9")
    assert (created["expected_cache_share"], created["estimated_monthly_cost"]) == (
        "0.9000",
        "20.70",
    )

    decided = client_for(approver).post(f"{REQUESTS}{created['id']}/approve/", {}, format="json")
    assert decided.status_code == 200
    adoption = Adoption.objects.get()
    assert adoption.expected_cache_share == Decimal("0.9")
    assert adoption.estimated_monthly_cost == Decimal("20.70")
    shown = client_for(member).get(f"/api/v1/adoptions/{adoption.pk}/").json()
    assert (shown["expected_cache_share"], shown["estimated_monthly_cost"]) == ("0.9000", "20.70")


def test_the_unit_page_forecasts_an_adoption_with_its_cache_share(client, member, approver):
    model = sonnet(cache_read="0.30")
    client_for(approver).post(
        f"{REQUESTS}{file_request(member, expected_cache_share='0.9')['id']}/approve/",
        {},
        format="json",
    )
    client.force_login(member)
    row = client.get("/business-units/marketing/").content.decode()
    row = row[row.index(f'href="/models/{model.slug}/"') :]
    assert "90 % cached" in row[:2000] and "$20.70" in row[:2000]


def test_without_a_cache_price_the_share_is_forecast_at_the_input_price(member):
    sonnet(cache_read=None)
    created = file_request(member, expected_cache_share="0.9")
    # Kept on the request, and no discount assumed: not $20.70, and never unpriced or free.
    assert (created["expected_cache_share"], created["estimated_monthly_cost"]) == (
        "0.9000",
        "45.00",
    )


@pytest.mark.parametrize("share", ["1.5", "-0.1", "NaN"])
def test_the_api_refuses_a_cache_share_outside_0_to_1(member, share):
    sonnet(cache_read="0.30")
    response = client_for(member).post(
        REQUESTS,
        {
            "model": "sonnet",
            "business_unit": "marketing",
            "use_case": "Manual Q&A",
            "data_classification": "internal",
            "expected_cache_share": share,
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["expected_cache_share"], response.json()
    assert not ApprovalRequest.objects.exists()


def test_the_request_form_takes_the_cache_share_as_a_percentage(client, member):
    sonnet(cache_read="0.30")
    client.force_login(member)
    form = {
        "business_unit": "marketing",
        "use_case": "Manual Q&A",
        "data_classification": "internal",
        "expected_monthly_input_tokens": str(10 * M),
        "expected_monthly_output_tokens": str(1 * M),
        "justification": "Long shared prompt",
    }
    page = client.get("/requests/new/?model=sonnet").content.decode()
    assert "Expected share of input from the cache (%)" in page
    refused = client.post("/requests/new/?model=sonnet", form | {"expected_cache_share": "150"})
    assert refused.status_code == 400 and not ApprovalRequest.objects.exists()
    client.post("/requests/new/?model=sonnet", form | {"expected_cache_share": "90"})
    request = ApprovalRequest.objects.get()
    assert request.expected_cache_share == Decimal("0.9")
    assert request.estimated_monthly_cost == Decimal("20.70")


def chat(slug: str, inp: str, cache_read: str) -> None:
    AIModelFactory(
        slug=slug,
        name=slug.title(),
        input_price_per_mtok=Decimal(inp),
        output_price_per_mtok=Decimal("1"),
        cache_read_price_per_mtok=Decimal(cache_read),
        specialties=["chat"],
    )


def test_a_cheap_cache_read_overtakes_a_cheaper_input_price_for_a_cache_heavy_need():
    chat("cheap-input", inp="1.00", cache_read="0.50")
    chat("cheap-cache", inp="2.00", cache_read="0.10")
    need = Need(specialty="chat", monthly_input_tokens=10 * M)
    ranked = [(c.model.slug, c.estimated_monthly_cost) for c in recommend(need).results]
    assert ranked == [("cheap-input", Decimal("10.00")), ("cheap-cache", Decimal("20.00"))]

    cached = Need(specialty="chat", monthly_input_tokens=10 * M, cache_share=Decimal("0.9"))
    ranked = [(c.model.slug, c.estimated_monthly_cost) for c in recommend(cached).results]
    # 1M at $2 + 9M at $0.10 = $2.90 against 1M at $1 + 9M at $0.50 = $5.50.
    assert ranked == [("cheap-cache", Decimal("2.90")), ("cheap-input", Decimal("5.50"))]


def test_the_recommendations_api_and_page_rank_with_the_cache_share(client):
    chat("cheap-input", inp="1.00", cache_read="0.50")
    chat("cheap-cache", inp="2.00", cache_read="0.10")
    client.force_login(UserFactory(username="reader"))
    query = {"specialty": "chat", "monthly_input_tokens": 10 * M, "cache_share": "0.9"}
    body = client.get("/api/v1/recommendations/", query).json()
    assert [(r["model"]["slug"], r["estimated_monthly_cost"]) for r in body["results"]] == [
        ("cheap-cache", "2.90"),
        ("cheap-input", "5.50"),
    ]
    page = client.get("/recommend/", query).content.decode()
    assert page.index("Cheap-Cache") < page.index("Cheap-Input")

    refused = client.get("/api/v1/recommendations/", query | {"cache_share": "1.5"})
    assert refused.status_code == 400 and "cache_share" in refused.json()

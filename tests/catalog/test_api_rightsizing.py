from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Adoption
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db
M = 1_000_000


@pytest.fixture
def api(client):
    client.force_login(UserFactory(username="reader"))
    return client


def chat(slug, inp, out, **kwargs):
    return AIModelFactory(
        slug=slug,
        name=slug.title(),
        input_price_per_mtok=Decimal(inp),
        output_price_per_mtok=Decimal(out),
        specialties=["chat"],
        **kwargs,
    )


def test_recommendations_rank_with_costs_reasons_and_exclusions(api):
    chat("frontier", "3", "15")
    chat("mini", "0.15", "0.6")
    chat("short", "0.01", "0.01", context_window=4_000)
    response = api.get(
        "/api/v1/recommendations/",
        {
            "specialty": "chat",
            "monthly_input_tokens": 50 * M,
            "monthly_output_tokens": 10 * M,
            "min_context": 32000,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert [(r["model"]["slug"], r["estimated_monthly_cost"]) for r in body["results"]] == [
        ("mini", "13.50"),
        ("frontier", "300.00"),
    ]
    assert body["results"][0]["model"]["vendor"]
    assert body["excluded"] == [
        {"model": body["excluded"][0]["model"], "reasons": ["context 4,000 < 32,000"]}
    ]
    assert body["excluded"][0]["model"]["slug"] == "short"


def test_recommendations_limit_and_quality_floor(api):
    chat("a", "1", "1")
    chat("b", "2", "2")
    response = api.get(
        "/api/v1/recommendations/", {"specialty": "chat", "limit": 1, "monthly_input_tokens": M}
    )
    assert [r["model"]["slug"] for r in response.json()["results"]] == ["a"]
    response = api.get("/api/v1/recommendations/", {"specialty": "chat", "min_score": "mmlu:0.8"})
    assert response.json()["results"] == []
    assert {tuple(e["reasons"]) for e in response.json()["excluded"]} == {("no mmlu evaluation",)}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "specialty"),
        ({"specialty": "poetry"}, "specialty"),
        ({"specialty": "chat", "min_context": "-1"}, "min_context"),
        ({"specialty": "chat", "min_context": "lots"}, "min_context"),
        ({"specialty": "chat", "monthly_input_tokens": "9" * 30}, "monthly_input_tokens"),
        ({"specialty": "chat", "data_classification": "secret"}, "data_classification"),
        ({"specialty": "chat", "business_unit": "nowhere"}, "business_unit"),
        ({"specialty": "chat", "limit": "0"}, "limit"),
        ({"specialty": "chat", "min_score": "mmlu"}, "min_score"),
        ({"specialty": "ch\x00at"}, "specialty"),
    ],
)
def test_recommendations_refuse_bad_parameters_naming_them(api, params, field):
    response = api.get("/api/v1/recommendations/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_recommendations_need_authentication(client):
    assert client.get("/api/v1/recommendations/", {"specialty": "chat"}).status_code == 401


def test_unit_savings_list_alternative_and_saving(api, unit):
    big = chat("frontier", "3", "15", context_window=128_000)
    chat("mini", "0.15", "0.6", context_window=128_000)
    now = timezone.now()
    Adoption.objects.create(
        unit=unit,
        model=big,
        use_case="Campaign copy",
        approved_at=now,
        expires_at=now + timedelta(days=30),
        expected_monthly_input_tokens=50 * M,
        expected_monthly_output_tokens=10 * M,
    )
    response = api.get(f"/api/v1/business-units/{unit.slug}/savings/")
    assert response.status_code == 200
    body = response.json()
    assert body["total_monthly_saving"] == "286.50"
    [row] = body["results"]
    assert row["model"]["slug"] == "frontier"
    assert row["current_monthly_cost"] == "300.00"
    assert row["alternative"]["model"]["slug"] == "mini"
    assert row["monthly_saving"] == "286.50"


@pytest.mark.parametrize("slug", ["nowhere", "bad%20slug"])
def test_unit_savings_of_unknown_units_are_404(api, slug):
    assert api.get(f"/api/v1/business-units/{slug}/savings/").status_code == 404

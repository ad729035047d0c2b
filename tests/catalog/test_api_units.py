"""Business units, their forecast and the allow-list gateways poll (ETag, LiteLLM format)."""

from decimal import Decimal

import pytest
import yaml

from catalog.choices import AdoptionStatus, ApiKind, PriceUnit
from catalog.models import AIModel
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db

MILLION = 1_000_000


@pytest.fixture
def openai(db):
    return VendorFactory(
        slug="openai",
        api_kind=ApiKind.OPENAI,
        api_base_url="https://api.openai.com/v1",
        api_key_env="OPENAI_API_KEY",
    )


@pytest.fixture
def allow_list(unit, openai):
    """Marketing uses two priced models and one unpriced; other adoptions must not show."""
    mini = AIModelFactory(
        slug="gpt-mini",
        name="GPT mini",
        vendor=openai,
        vendor_model_id="gpt-mini",
        input_price_per_mtok=Decimal("0.15"),
        output_price_per_mtok=Decimal("0.60"),
    )
    embed = AIModelFactory(
        slug="embed-small",
        name="Embed small",
        vendor=openai,
        vendor_model_id="text-embedding-3-small",
        input_price_per_mtok=Decimal("0.02"),
        output_price_per_mtok=None,
    )
    rerank = AIModelFactory(
        slug="rerank",
        name="Rerank",
        price_unit=PriceUnit.PER_QUERY,
        input_price_per_mtok=Decimal("2"),
    )
    adopt(
        unit,
        mini,
        expected_monthly_input_tokens=10 * MILLION,
        expected_monthly_output_tokens=2 * MILLION,
    )  # 1.50 + 1.20
    adopt(unit, embed, expected_monthly_input_tokens=50 * MILLION)  # 1.00
    adopt(unit, rerank, expected_monthly_input_tokens=MILLION)  # not per token: no estimate
    adopt(unit, AIModelFactory(slug="revoked"), status=AdoptionStatus.REVOKED)
    adopt(unit, AIModelFactory(slug="lapsed"), days_left=-1)
    return unit


def test_units_list_with_budget_and_forecast(outsider, allow_list, other_unit):
    body = token_client(outsider).get("/api/v1/business-units/").json()
    assert body["count"] == 2
    by_slug = {u["slug"]: u for u in body["results"]}
    assert by_slug["marketing"]["monthly_budget"] == "1000.00"
    assert by_slug["marketing"]["forecast_monthly_cost"] == "3.70"
    assert by_slug["engineering"]["forecast_monthly_cost"] == "0.00"
    assert set(by_slug["marketing"]) == {
        "slug",
        "name",
        "cost_center",
        "monthly_budget",
        "forecast_monthly_cost",
        "unpriced_adoptions",
        "url",
    }
    assert by_slug["marketing"]["unpriced_adoptions"] == 1  # the per-query rerank


def test_unit_detail_carries_budget_and_forecast(outsider, allow_list):
    body = token_client(outsider).get("/api/v1/business-units/marketing/").json()
    assert body["monthly_budget"] == "1000.00"
    assert body["forecast_monthly_cost"] == "3.70"


def test_unknown_or_malformed_unit_is_404(outsider):
    api = token_client(outsider)
    assert api.get("/api/v1/business-units/nobody/").status_code == 404
    assert api.get("/api/v1/business-units/nobody/models/").status_code == 404
    assert api.get("/api/v1/business-units/a.b/models/").status_code == 404


def test_allow_list_shows_active_adoptions_with_their_estimated_cost(outsider, allow_list):
    body = token_client(outsider).get("/api/v1/business-units/marketing/models/").json()
    assert body["count"] == 3
    rows = {row["model"]["slug"]: row for row in body["results"]}
    assert set(rows) == {"gpt-mini", "embed-small", "rerank"}
    mini = rows["gpt-mini"]
    assert mini["model"] == {
        "slug": "gpt-mini",
        "name": "GPT mini",
        "vendor": "openai",
        "vendor_model_id": "gpt-mini",
    }
    assert mini["business_unit"] == "marketing"
    assert mini["estimated_monthly_cost"] == "2.70"
    assert {"id", "use_case", "approved_at", "expires_at"} <= set(mini)
    assert rows["embed-small"]["estimated_monthly_cost"] == "1.00"
    assert rows["rerank"]["estimated_monthly_cost"] is None


def test_allow_list_answers_304_while_nothing_changed(outsider, allow_list):
    api = token_client(outsider)
    first = api.get("/api/v1/business-units/marketing/models/")
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = api.get("/api/v1/business-units/marketing/models/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_allow_list_etag_changes_when_a_price_or_adoption_changes(outsider, allow_list):
    api = token_client(outsider)
    url = "/api/v1/business-units/marketing/models/"
    etag = api.get(url)["ETag"]
    allow_list.adoptions.filter(model__slug="embed-small").update(status=AdoptionStatus.REVOKED)
    after_revoke = api.get(url, headers={"If-None-Match": etag})
    assert after_revoke.status_code == 200 and after_revoke.json()["count"] == 2
    etag = after_revoke["ETag"]
    AIModel.objects.filter(slug="gpt-mini").update(input_price_per_mtok=Decimal("0.3"))
    after_price = api.get(url, headers={"If-None-Match": etag})
    assert after_price.status_code == 200
    assert after_price["ETag"] != etag


def test_allow_list_as_litellm_proxy_model_list(outsider, allow_list):
    response = token_client(outsider).get("/api/v1/business-units/marketing/models/?format=litellm")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    config = yaml.safe_load(response.content)
    deployments = {d["model_name"]: d for d in config["model_list"]}
    assert set(deployments) == {"gpt-mini", "embed-small", "rerank"}
    mini = deployments["gpt-mini"]["litellm_params"]
    assert mini["model"] == "openai/gpt-mini"
    assert mini["api_key"] == "os.environ/OPENAI_API_KEY"
    assert mini["api_base"] == "https://api.openai.com/v1"
    assert Decimal(str(mini["input_cost_per_token"])) == Decimal("0.00000015")
    assert Decimal(str(mini["output_cost_per_token"])) == Decimal("0.0000006")
    assert b"0.00000015" in response.content  # written exactly, not as a rounded float
    embed = deployments["embed-small"]["litellm_params"]
    assert embed["model"] == "openai/text-embedding-3-small"
    assert "output_cost_per_token" not in embed
    assert "input_cost_per_token" not in deployments["rerank"]["litellm_params"]
    assert deployments["gpt-mini"]["model_info"]["business_unit"] == "marketing"


def test_litellm_format_has_its_own_etag_and_304(outsider, allow_list):
    api = token_client(outsider)
    url = "/api/v1/business-units/marketing/models/"
    json_etag = api.get(url)["ETag"]
    litellm = api.get(f"{url}?format=litellm")
    assert litellm["ETag"] != json_etag
    cached = api.get(f"{url}?format=litellm", headers={"If-None-Match": litellm["ETag"]})
    assert cached.status_code == 304


def test_unknown_format_is_404_not_500(outsider, allow_list):
    response = token_client(outsider).get("/api/v1/business-units/marketing/models/?format=xml")
    assert response.status_code == 404


def test_units_are_read_only(catalog_admin, unit):
    api = token_client(catalog_admin)
    response = api.patch(
        "/api/v1/business-units/marketing/", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 405

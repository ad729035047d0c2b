"""Catalog admins create, change and delete models through the API; nobody else may."""

from decimal import Decimal

import pytest

from catalog.choices import PriceSource, SizeClass
from catalog.models import AIModel, ApprovalRequest, PriceObservation
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db

NEW_MODEL = {
    "slug": "tiny-coder",
    "name": "Tiny Coder",
    "vendor": "acme",
    "vendor_model_id": "tiny-coder-1",
    "specialties": ["code"],
    "parameters": 3_000_000_000,
    "context_window": 32_000,
    "input_price_per_mtok": "0.10",
    "output_price_per_mtok": "0.30",
    "regions": ["eu"],
    "input_modalities": ["text"],
}


@pytest.fixture
def acme(db):
    return VendorFactory(slug="acme")


def test_catalog_admin_creates_a_model_and_opens_its_price_ledger(catalog_admin, acme):
    response = token_client(catalog_admin).post(
        "/api/v1/models/", NEW_MODEL, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "tiny-coder" and body["vendor"] == "acme"
    assert body["specialties"] == ["code"]
    assert body["size_class"] == SizeClass.SMALL
    assert body["input_price_per_mtok"] == "0.100000"
    assert body["price_checked_at"] is not None
    model = AIModel.objects.get(slug="tiny-coder")
    ledger = list(model.price_observations.values_list("input_price_per_mtok", "source"))
    assert ledger == [(Decimal("0.10"), PriceSource.MANUAL)]


def test_a_price_change_writes_one_ledger_entry_and_the_audit_names_the_admin(catalog_admin):
    model = AIModelFactory(slug="m", input_price_per_mtok=Decimal("1"))
    api = token_client(catalog_admin)
    response = api.patch(
        "/api/v1/models/m/", {"input_price_per_mtok": "1.5"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["input_price_per_mtok"] == "1.500000"
    api.patch("/api/v1/models/m/", {"family": "x"}, content_type="application/json")
    assert PriceObservation.objects.filter(model=model).count() == 1
    assert model.history.latest().history_user == catalog_admin


def test_patch_sets_specialties_and_successor_by_slug(catalog_admin):
    AIModelFactory(slug="m", specialties=["chat"])
    AIModelFactory(slug="next")
    response = token_client(catalog_admin).patch(
        "/api/v1/models/m/",
        {"specialties": ["code", "reasoning"], "successor": "next"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["specialties"] == ["code", "reasoning"]
    assert response.json()["successor"] == "next"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"input_price_per_mtok": "-1"}, "input_price_per_mtok"),
        ({"input_price_per_mtok": "abc"}, "input_price_per_mtok"),
        ({"output_price_per_mtok": "1" * 30}, "output_price_per_mtok"),
        ({"parameters": 10**30}, "parameters"),
        ({"parameters": 0}, "parameters"),
        ({"context_window": 2**31}, "context_window"),
        ({"name": "nul\x00byte"}, "name"),
        ({"regions": ["eu\x00"]}, "regions"),
        ({"input_modalities": ["smell"]}, "input_modalities"),
        ({"vendor": "nobody"}, "vendor"),
        ({"vendor": "acme\x00"}, "vendor"),
        ({"vendor": 12}, "vendor"),
        ({"specialties": ["chat\x00"]}, "specialties"),
        ({"successor": "m\x00"}, "successor"),
        ({"specialties": ["poetry"]}, "specialties"),
        ({"successor": "m"}, "successor"),
        ({"status": "approvedish"}, "status"),
        ({"slug": "not a slug"}, "slug"),
    ],
)
def test_bad_writes_are_400_naming_the_field(catalog_admin, change, field):
    AIModelFactory(slug="m")
    response = token_client(catalog_admin).patch(
        "/api/v1/models/m/", change, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_duplicate_vendor_model_id_is_400(catalog_admin, acme):
    AIModelFactory(vendor=acme, vendor_model_id="tiny-coder-1")
    response = token_client(catalog_admin).post(
        "/api/v1/models/", NEW_MODEL, content_type="application/json"
    )
    assert response.status_code == 400


def test_catalog_admin_deletes_an_unused_model(catalog_admin):
    AIModelFactory(slug="m")
    assert token_client(catalog_admin).delete("/api/v1/models/m/").status_code == 204
    assert not AIModel.objects.filter(slug="m").exists()


def test_deleting_a_model_a_unit_uses_is_409_with_the_reason(catalog_admin, unit):
    adopt(unit, AIModelFactory(slug="m"))
    response = token_client(catalog_admin).delete("/api/v1/models/m/")
    assert response.status_code == 409
    assert "adoptions" in response.json()["detail"]
    assert AIModel.objects.filter(slug="m").exists()


def test_deleting_a_model_a_request_names_is_409(catalog_admin, unit, member):
    model = AIModelFactory(slug="m")
    ApprovalRequest.objects.create(model=model, unit=unit, requester=member, use_case="x")
    assert token_client(catalog_admin).delete("/api/v1/models/m/").status_code == 409


@pytest.mark.parametrize("persona", ["member", "manager", "approver", "outsider"])
def test_only_catalog_admins_change_models(request, persona, acme):
    api = token_client(request.getfixturevalue(persona))
    AIModelFactory(slug="m")
    assert (
        api.post("/api/v1/models/", NEW_MODEL, content_type="application/json").status_code == 403
    )
    assert (
        api.patch("/api/v1/models/m/", {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    assert api.delete("/api/v1/models/m/").status_code == 403
    assert AIModel.objects.get(slug="m").name != "x"


def test_put_is_not_offered(catalog_admin):
    AIModelFactory(slug="m")
    response = token_client(catalog_admin).put(
        "/api/v1/models/m/", NEW_MODEL, content_type="application/json"
    )
    assert response.status_code == 405

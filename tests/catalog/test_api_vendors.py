"""Vendors (read by all, corrected by catalog admins) and the specialty taxonomy."""

import pytest

from catalog.choices import ApiKind
from catalog.models import Vendor
from tests.catalog.api_support import token_client
from tests.factories import UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def openai(db):
    return VendorFactory(
        slug="openai",
        name="OpenAI",
        api_kind=ApiKind.OPENAI,
        api_base_url="https://api.openai.com/v1",
        api_key_env="OPENAI_API_KEY",
    )


def test_vendors_show_the_key_variable_name_never_a_key(openai):
    body = token_client(UserFactory()).get("/api/v1/vendors/openai/").json()
    assert body == {
        "slug": "openai",
        "name": "OpenAI",
        "website": "",
        "api_kind": "openai",
        "api_base_url": "https://api.openai.com/v1",
        "api_key_env": "OPENAI_API_KEY",
        "status_page_url": "",
        "price_source": "manual",
        "price_source_url": "",
        "is_active": True,
        "url": "http://testserver/api/v1/vendors/openai/",
    }


def test_vendor_list_filters_by_api_kind_and_activity(openai):
    VendorFactory(slug="sleepy", is_active=False)
    api = token_client(UserFactory())
    assert [v["slug"] for v in api.get("/api/v1/vendors/?api_kind=openai").json()["results"]] == [
        "openai"
    ]
    assert [v["slug"] for v in api.get("/api/v1/vendors/?active=false").json()["results"]] == [
        "sleepy"
    ]
    assert list(api.get("/api/v1/vendors/?api_kind=carrier-pigeon").json()) == ["api_kind"]


def test_catalog_admin_corrects_a_vendor(catalog_admin, openai):
    response = token_client(catalog_admin).patch(
        "/api/v1/vendors/openai/",
        {"status_page_url": "https://status.openai.com", "slug": "renamed"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    openai.refresh_from_db()
    assert openai.status_page_url == "https://status.openai.com"
    assert openai.slug == "openai"  # the slug is the vendor's identity, not editable here
    assert openai.history.latest().history_user == catalog_admin


@pytest.mark.parametrize("value", ["sk-live-abc123", "OPENAI API KEY", "KEY\x00"])
def test_a_key_pasted_where_its_variable_name_belongs_is_refused(catalog_admin, openai, value):
    response = token_client(catalog_admin).patch(
        "/api/v1/vendors/openai/", {"api_key_env": value}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "api_key_env" in response.json()
    assert Vendor.objects.get(slug="openai").api_key_env == "OPENAI_API_KEY"


@pytest.mark.parametrize("persona", ["member", "approver", "outsider"])
def test_only_catalog_admins_change_vendors(request, persona, openai):
    api = token_client(request.getfixturevalue(persona))
    response = api.patch(
        "/api/v1/vendors/openai/", {"name": "Evil"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Vendor.objects.get(slug="openai").name == "OpenAI"


def test_vendors_cannot_be_created_or_deleted_through_the_api(catalog_admin, openai):
    api = token_client(catalog_admin)
    assert api.post("/api/v1/vendors/", {"slug": "x", "name": "X"}).status_code == 405
    assert api.delete("/api/v1/vendors/openai/").status_code == 405


def test_unknown_vendor_is_404(db):
    assert token_client(UserFactory()).get("/api/v1/vendors/nobody/").status_code == 404


def test_specialties_list_the_taxonomy(db):
    body = token_client(UserFactory()).get("/api/v1/specialties/").json()
    slugs = {s["slug"] for s in body["results"]}
    assert {"chat", "reasoning", "code", "embedding", "rerank", "vision"} <= slugs
    assert set(body["results"][0]) == {"slug", "name", "description"}
    assert token_client(UserFactory()).get("/api/v1/specialties/code/").json()["name"] == "Code"

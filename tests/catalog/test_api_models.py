"""GET /api/v1/models/: the contract's fields, every filter and ordering, and bad input → 400."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import QueryDict

from catalog.choices import (
    AdoptionStatus,
    AvailabilityStatus,
    DataClassification,
    Deployment,
    ModelStatus,
    SizeClass,
)
from catalog.filtersets import AIModelFilterSet
from catalog.models import AIModel
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, BusinessUnitFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db

MODEL_FIELDS = {
    "cache_read_price_per_mtok",
    "cache_write_price_per_mtok",
    "long_context_threshold",
    "long_context_input_price_per_mtok",
    "long_context_output_price_per_mtok",
    "slug",
    "name",
    "vendor",
    "vendor_model_id",
    "family",
    "specialties",
    "parameters",
    "parameters_estimated",
    "size_class",
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "input_price_per_mtok",
    "output_price_per_mtok",
    "license",
    "open_weights",
    "deployment",
    "regions",
    "status",
    "max_data_classification",
    "release_date",
    "deprecation_date",
    "retirement_date",
    "successor",
    "availability",
    "price_unit",
    "price_checked_at",
    "url",
}


@pytest.fixture
def api(db):
    return token_client(UserFactory(username="reader"))


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [m["slug"] for m in response.json()["results"]]


def test_model_list_carries_every_documented_field_in_its_documented_shape(api):
    successor = AIModelFactory(slug="gpt-next", name="GPT next")
    AIModelFactory(
        slug="gpt-small",
        name="GPT small",
        vendor=VendorFactory(slug="openai"),
        vendor_model_id="gpt-small-2025",
        family="gpt",
        specialties=["code", "chat"],
        parameters=8_000_000_000,
        parameters_estimated=True,
        context_window=128_000,
        max_output_tokens=16_384,
        input_modalities=["text", "image"],
        output_modalities=["text"],
        input_price_per_mtok=Decimal("0.15"),
        output_price_per_mtok=Decimal("0.6"),
        license="proprietary",
        regions=["eu", "us"],
        release_date=date(2025, 7, 1),
        successor=successor,
        availability_status=AvailabilityStatus.UP,
        availability_checked_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        latency_ms=420,
    )
    body = api.get("/api/v1/models/?search=gpt-small").json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    model = body["results"][0]
    assert set(model) == MODEL_FIELDS
    assert model["vendor"] == "openai"
    assert model["specialties"] == ["chat", "code"]
    assert model["input_price_per_mtok"] == "0.150000"
    assert model["output_price_per_mtok"] == "0.600000"
    assert model["size_class"] == SizeClass.SMALL
    assert model["parameters"] == 8_000_000_000
    assert model["successor"] == "gpt-next"
    assert model["release_date"] == "2025-07-01"
    assert model["availability"] == {
        "status": "up",
        "checked_at": "2026-01-02T03:04:05Z",
        "latency_ms": 420,
    }
    assert model["url"] == "http://testserver/api/v1/models/gpt-small/"


def test_one_model_reads_exactly_as_its_list_entry(api):
    AIModelFactory(slug="m1", specialties=["chat"], successor=AIModelFactory(slug="m2"))
    listed = api.get("/api/v1/models/?search=m1").json()["results"][0]
    assert api.get("/api/v1/models/m1/").json() == listed


def test_unpriced_model_shows_null_prices_never_zero(api):
    AIModelFactory(slug="free-or-not", input_price_per_mtok=None, output_price_per_mtok=None)
    model = api.get("/api/v1/models/free-or-not/").json()
    assert model["input_price_per_mtok"] is None and model["output_price_per_mtok"] is None


def test_unknown_model_and_malformed_slugs_are_404(api):
    assert api.get("/api/v1/models/nope/").status_code == 404
    for bad in ("a.b", "a%20b", "a%00b", "%E2%80%A8"):
        assert api.get(f"/api/v1/models/{bad}/").status_code == 404, bad


def test_api_needs_authentication(client):
    AIModelFactory()
    assert client.get("/api/v1/models/").status_code == 401


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vendor=acme", ["a-chat"]),
        ("specialty=embedding", ["b-embed"]),
        ("status=deprecated", ["c-old"]),
        ("size_class=large", ["b-embed"]),
        ("max_input_price=1", ["a-chat", "b-embed"]),
        ("max_input_price=0.5", ["b-embed"]),
        ("max_output_price=2", ["a-chat"]),
        ("min_context=200000", ["c-old"]),
        ("available=true", ["a-chat", "b-embed"]),
        ("available=false", ["c-old", "d-unpriced"]),
        ("available=or_not_monitored", ["a-chat", "b-embed", "d-unpriced"]),
        ("deployment=self_hosted", ["c-old"]),
        ("open_weights=true", ["c-old"]),
        ("open_weights=false", ["a-chat", "b-embed", "d-unpriced"]),
        ("region=eu-west-1", ["a-chat"]),
        ("region=eu", ["b-embed"]),
        ("data_classification=confidential", ["b-embed", "c-old"]),
        ("data_classification=restricted", ["c-old"]),
        ("search=CHAT", ["a-chat"]),
        ("search=embed-id", ["b-embed"]),
        ("search=Old%20one", ["c-old"]),
        ("vendor=acme&specialty=chat&max_input_price=1", ["a-chat"]),
        ("vendor=acme&specialty=embedding", []),
    ],
)
def test_each_filter_narrows_the_list(api, query, expected):
    acme, other = VendorFactory(slug="acme"), VendorFactory(slug="other")
    AIModelFactory(
        slug="a-chat",
        name="A chat",
        vendor=acme,
        specialties=["chat"],
        parameters=8_000_000_000,
        input_price_per_mtok=Decimal("1"),
        output_price_per_mtok=Decimal("2"),
        regions=["eu-west-1", "us-east-1"],
        availability_status=AvailabilityStatus.UP,
    )
    AIModelFactory(
        slug="b-embed",
        name="B embed",
        vendor=other,
        vendor_model_id="embed-id",
        specialties=["embedding"],
        parameters=200_000_000_000,
        input_price_per_mtok=Decimal("0.1"),
        output_price_per_mtok=Decimal("3"),
        regions=["eu"],
        max_data_classification=DataClassification.CONFIDENTIAL,
        availability_status=AvailabilityStatus.DEGRADED,
    )
    AIModelFactory(
        slug="c-old",
        name="Old one",
        vendor=other,
        status=ModelStatus.DEPRECATED,
        context_window=1_000_000,
        input_price_per_mtok=Decimal("5"),
        output_price_per_mtok=Decimal("8"),
        deployment=Deployment.SELF_HOSTED,
        open_weights=True,
        max_data_classification=DataClassification.RESTRICTED,
        availability_status=AvailabilityStatus.DOWN,
    )
    AIModelFactory(
        slug="d-unpriced",
        vendor=other,
        input_price_per_mtok=None,
        output_price_per_mtok=None,
        availability_status=AvailabilityStatus.NOT_MONITORED,
    )
    assert sorted(slugs(api.get(f"/api/v1/models/?{query}"))) == expected


def test_business_unit_filter_lists_only_the_models_the_unit_actively_uses(api, unit):
    used, revoked, elsewhere = AIModelFactory(), AIModelFactory(), AIModelFactory()
    AIModelFactory()
    adopt(unit, used)
    adopt(unit, revoked, status=AdoptionStatus.REVOKED)
    adopt(BusinessUnitFactory(slug="legal"), elsewhere)
    assert slugs(api.get("/api/v1/models/?business_unit=marketing")) == [used.slug]


@pytest.mark.parametrize(
    ("ordering", "field"),
    [
        ("input_price", "input_price_per_mtok"),
        ("output_price", "output_price_per_mtok"),
        ("context_window", "context_window"),
        ("parameters", "parameters"),
        ("release_date", "release_date"),
    ],
)
def test_ordering_puts_unknown_values_last_in_both_directions(api, ordering, field):
    values = {
        "input_price_per_mtok": [Decimal("3"), Decimal("0.5"), None, Decimal("10")],
        "output_price_per_mtok": [Decimal("3"), Decimal("0.5"), None, Decimal("10")],
        "context_window": [32_000, 8_000, None, 1_000_000],
        "parameters": [70_000_000_000, 7_000_000_000, None, 1_760_000_000_000],
        "release_date": [date(2025, 1, 1), date(2024, 1, 1), None, date(2026, 1, 1)],
    }[field]
    for name, value in zip(["mid", "low", "unknown", "high"], values, strict=True):
        AIModelFactory(slug=name, **{field: value})
    assert slugs(api.get(f"/api/v1/models/?ordering={ordering}")) == [
        "low",
        "mid",
        "high",
        "unknown",
    ]
    assert slugs(api.get(f"/api/v1/models/?ordering=-{ordering}")) == [
        "high",
        "mid",
        "low",
        "unknown",
    ]


def test_ordering_by_name_and_by_several_keys(api):
    AIModelFactory(slug="b", name="Beta", input_price_per_mtok=Decimal("1"))
    AIModelFactory(slug="a", name="Alpha", input_price_per_mtok=Decimal("1"))
    AIModelFactory(slug="c", name="Gamma", input_price_per_mtok=Decimal("0.5"))
    assert slugs(api.get("/api/v1/models/?ordering=-name")) == ["c", "b", "a"]
    assert slugs(api.get("/api/v1/models/?ordering=input_price,name")) == ["c", "a", "b"]
    assert slugs(api.get("/api/v1/models/?ordering=input_price,-name")) == ["c", "b", "a"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("vendor=nobody", "vendor"),
        ("vendor=a%00b", "vendor"),
        ("vendor=a.b", "vendor"),
        ("specialty=poetry", "specialty"),
        ("status=approvedish", "status"),
        ("size_class=huge", "size_class"),
        ("deployment=moon", "deployment"),
        ("data_classification=secret", "data_classification"),
        ("business_unit=nobody", "business_unit"),
        ("available=maybe", "available"),
        ("open_weights=1", "open_weights"),
        ("max_input_price=cheap", "max_input_price"),
        ("max_input_price=-1", "max_input_price"),
        ("max_input_price=NaN", "max_input_price"),
        ("max_input_price=1e999", "max_input_price"),
        ("max_output_price=123456789012345678901234567890", "max_output_price"),
        ("min_context=-5", "min_context"),
        ("min_context=lots", "min_context"),
        ("min_context=123456789012345678901234567890", "min_context"),
        ("min_context=1.5", "min_context"),
        ("search=a%00b", "search"),
        ("search=" + "x" * 201, "search"),
        ("region=eu%00", "region"),
        ("ordering=price", "ordering"),
        ("ordering=-vendor_id", "ordering"),
        ("ordering=name,%00", "ordering"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(api, query, parameter):
    VendorFactory(slug="acme")
    response = api.get(f"/api/v1/models/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_page_size_is_honoured_up_to_500(api):
    vendor = VendorFactory()
    for n in range(3):
        AIModelFactory(vendor=vendor, slug=f"m{n}")
    body = api.get("/api/v1/models/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert "page=2" in body["next"]
    assert len(api.get("/api/v1/models/?page_size=2&page=2").json()["results"]) == 1
    assert api.get("/api/v1/models/?page=99").status_code == 404
    for bad in ("%00", "0", "-1", "two"):
        response = api.get(f"/api/v1/models/?page={bad}")
        assert response.status_code == 400 and "page" in response.json()
    assert "page_size" in api.get("/api/v1/models/?page_size=-5").json()
    assert len(api.get("/api/v1/models/?page_size=100000").json()["results"]) == 3


def test_page_size_above_500_is_capped(api):
    from bench.bench_api import seed_catalog

    seed_catalog(501)
    assert len(api.get("/api/v1/models/?page_size=9999").json()["results"]) == 500


def test_the_filterset_serves_html_forms_from_a_plain_querydict():
    """The catalog page uses the same FilterSet: labelled fields, choices, bad values skipped."""
    VendorFactory(slug="acme", name="Acme")
    kept = AIModelFactory(slug="kept", name="Kept", status=ModelStatus.APPROVED)
    AIModelFactory(slug="other", name="Other", status=ModelStatus.RETIRED)
    filterset = AIModelFilterSet(
        QueryDict("status=approved&max_input_price=cheap"), queryset=AIModel.objects.all()
    )
    assert not filterset.is_valid()
    assert list(filterset.errors) == ["max_input_price"]
    assert list(filterset.qs) == [kept]  # the valid filters still apply
    form = filterset.form
    assert form["search"].label == "Search models"
    assert [form[name].label for name in ("vendor", "specialty", "size_class", "status")] == [
        "Vendor",
        "Specialty",
        "Size",
        "Status",
    ]
    assert ("acme", "Acme") in [(str(v), str(label)) for v, label in form.fields["vendor"].choices]
    assert "-input_price" in [value for value, _ in form.fields["ordering"].choices]

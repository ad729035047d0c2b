"""The allow-list's ETag comes from one query over the rendered columns (issue 14: a cheap 304),
and stays truthful: anything the body shows, the in-force rule, the format and the URL move it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.api import allow_list as allow_list_module
from catalog.choices import ApiKind, PriceUnit
from catalog.models import Adoption, AIModel, Vendor
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/business-units/marketing/models/"


@pytest.fixture
def allow_list(unit):
    """Two adoptions: one of a deprecated model with a successor, one of a plain model."""
    vendor = VendorFactory(
        slug="openai",
        api_kind=ApiKind.OPENAI,
        api_base_url="https://api.openai.com/v1",
        api_key_env="OPENAI_API_KEY",
    )
    successor = AIModelFactory(slug="gpt-next", name="GPT next", vendor=vendor)
    old = AIModelFactory(
        slug="gpt-old",
        name="GPT old",
        vendor=vendor,
        input_price_per_mtok=Decimal("1.00"),
        output_price_per_mtok=Decimal("2.00"),
        deprecation_date=date(2026, 1, 1),
        successor=successor,
    )
    adopt(unit, old, expected_monthly_input_tokens=1_000_000)
    adopt(unit, AIModelFactory(slug="mini", name="Mini", vendor=vendor), days_left=30)
    return unit


@pytest.fixture
def api(outsider):
    return token_client(outsider)


def test_a_304_is_one_query_and_renders_nothing(api, allow_list, django_assert_num_queries):
    etag = api.get(URL)["ETag"]
    # On PostgreSQL the token, the unit and the fingerprint in one, no rows fetched; elsewhere
    # the token, then the unit and its rendered columns.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        again = api.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-cache"


def test_a_signed_in_browsers_poll_is_answered_as_a_tokens(
    api, allow_list, outsider, client, django_assert_num_queries
):
    etag = api.get(URL)["ETag"]
    client.force_login(outsider)
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304
    adopt(allow_list, AIModelFactory(slug="newer"))
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 200


def test_a_poll_refuses_a_bad_token_and_an_inactive_user_whatever_its_etag(
    api, allow_list, outsider
):
    etag = api.get(URL)["ETag"]
    forged = Client(headers={"Authorization": "Token " + "0" * 40})
    refused = forged.get(URL, headers={"If-None-Match": etag})
    assert refused.status_code == 401 and refused.json() == {"detail": "Invalid token."}
    outsider.is_active = False
    outsider.save()
    refused = api.get(URL, headers={"If-None-Match": etag})
    assert refused.status_code == 401
    assert refused.json() == {"detail": "User inactive or deleted."}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the poll's rider is PostgreSQL's")
@pytest.mark.parametrize("slug", ["marketing", "nobody"])
def test_the_polls_fingerprint_is_fingerprints_answer(allow_list, outsider, slug):
    """The fingerprint read in the token's statement is what `fingerprint()` gives alone."""
    now = timezone.now()
    key = Token.objects.create(user=outsider).key
    poll = allow_list_module.poll_authentication(slug, now)
    user, _ = poll.authenticate_credentials(key)
    assert user == outsider
    assert poll.fingerprint == allow_list_module.fingerprint(slug, now)


@pytest.mark.parametrize(("fmt", "queries"), [("json", 5), ("litellm", 4)])
def test_a_200_reads_no_column_outside_the_fingerprinted_ones(
    api, allow_list, fmt, queries, django_assert_num_queries
):
    """The renderers load only `allow_list.FIELDS`: reading any other column (one the ETag would
    not cover) would cost a query per row and break this count."""
    # token, unit; then in one snapshot: the fingerprint, (count,) rows
    with django_assert_num_queries(queries):
        response = api.get(f"{URL}?format={fmt}")
    assert response.status_code == 200 and response.has_header("ETag")


def moved(api, url: str, change, **headers: str) -> None:
    """`change()` (a raw write, or a move of the clock) gives a new ETag and a 200."""
    before = api.get(url, headers=headers)
    assert api.get(url, headers={**headers, "If-None-Match": before["ETag"]}).status_code == 304
    change()
    after = api.get(url, headers={**headers, "If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content


def models(slug: str):
    return AIModel.objects.filter(slug=slug)


CHANGES = {
    "price": lambda: models("gpt-old").update(input_price_per_mtok=Decimal("1.50")),
    "price unit": lambda: models("gpt-old").update(price_unit=PriceUnit.PER_QUERY),
    "model name": lambda: models("mini").update(name="Mini 2"),
    "vendor model id": lambda: models("mini").update(vendor_model_id="mini-2"),
    "deprecation date": lambda: models("gpt-old").update(deprecation_date=date(2026, 2, 1)),
    "retirement date": lambda: models("gpt-old").update(retirement_date=date(2099, 1, 1)),
    "successor's slug": lambda: models("gpt-next").update(slug="gpt-5"),
    "vendor slug": lambda: Vendor.objects.filter(slug="openai").update(slug="oai"),
    "use case": lambda: Adoption.objects.filter(model__slug="mini").update(use_case="Search"),
    "volume": lambda: Adoption.objects.update(expected_monthly_output_tokens=5),
    "expiry": lambda: Adoption.objects.update(expires_at=timezone.now() + timedelta(days=9)),
    "model status": lambda: models("mini").update(status="retired"),
}


# LiteLLM's model_list shows neither the model's name nor the volumes.
SHOWN = [(c, "json") for c in CHANGES] + [
    (c, "litellm") for c in CHANGES if c not in {"model name", "volume"}
]


@pytest.mark.parametrize(("change", "fmt"), SHOWN)
def test_each_rendered_column_moves_the_etag(api, allow_list, change, fmt):
    moved(api, f"{URL}?format={fmt}", CHANGES[change])


@pytest.mark.parametrize(
    "field", ["api_key_env", "api_kind", "api_base_url"], ids=lambda f: f"vendor {f}"
)
def test_the_vendor_fields_litellm_renders_move_its_etag(api, allow_list, field):
    vendors = Vendor.objects.filter(slug="openai")
    new = {"api_key_env": "OAI_KEY", "api_kind": ApiKind.ANTHROPIC, "api_base_url": "https://x/v1"}
    moved(api, f"{URL}?format=litellm", lambda: vendors.update(**{field: new[field]}))


def test_an_adoption_lapsing_with_no_write_moves_the_etag(api, allow_list, monkeypatch):
    """`mini` expires in 30 days: on day 31 the same rows, unwritten, are a shorter list."""
    later = timezone.now() + timedelta(days=31)
    moved(api, URL, lambda: monkeypatch.setattr(timezone, "now", lambda: later))
    assert [row["model"]["slug"] for row in api.get(URL).json()["results"]] == ["gpt-old"]


def test_a_retirement_date_reached_with_no_write_moves_the_etag(api, allow_list, monkeypatch):
    models("mini").update(retirement_date=timezone.localdate() + timedelta(days=2))
    later = timezone.now() + timedelta(days=3)
    moved(api, URL, lambda: monkeypatch.setattr(timezone, "now", lambda: later))


def test_format_params_and_accept_each_have_their_own_etag(api, allow_list):
    etags = {
        api.get(URL)["ETag"],
        api.get(f"{URL}?format=litellm")["ETag"],
        api.get(f"{URL}?page_size=1")["ETag"],
        api.get(f"{URL}?page_size=1&page=2")["ETag"],
        api.get(URL, headers={"Accept": "application/json; indent=4"})["ETag"],
    }
    assert len(etags) == 5
    json_etag = api.get(URL)["ETag"]
    assert api.get(f"{URL}?format=litellm", headers={"If-None-Match": json_etag}).status_code == 200
    indented = api.get(
        URL, headers={"Accept": "application/json; indent=4", "If-None-Match": json_etag}
    )
    assert indented.status_code == 200 and b"\n    " in indented.content


def test_an_empty_allow_list_has_an_etag_and_a_304(api, unit):
    etag = api.get(URL)["ETag"]
    assert api.get(URL, headers={"If-None-Match": etag}).status_code == 304
    adopt(unit, AIModelFactory(slug="first"))
    assert api.get(URL, headers={"If-None-Match": etag}).status_code == 200


def test_a_matching_etag_skips_neither_auth_nor_the_units_existence(api, allow_list, client):
    etag = api.get(URL)["ETag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code in (401, 403)
    nobody = "/api/v1/business-units/nobody/models/"
    assert api.get(nobody, headers={"If-None-Match": etag}).status_code == 404
    other = token_client(UserFactory(username="zoe"))
    assert other.get(URL, headers={"If-None-Match": etag}).status_code == 304


def test_the_browsable_api_keeps_an_etag_of_its_bytes(api, allow_list):
    page = api.get(f"{URL}?format=api")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert page.has_header("ETag") and page["ETag"] != api.get(URL)["ETag"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the compiled-once SQL is PostgreSQL's"
)
def test_the_compiled_once_fingerprint_is_the_orms_query_for_this_unit_and_time(allow_list):
    """The stand-ins swapped for a request's unit and time give what the ORM compiles for them."""
    now = timezone.now()
    fresh = allow_list_module.adoptions(allow_list.pk, now).aggregate(
        digest=allow_list_module.rows_digest()
    )["digest"]
    assert allow_list_module.fingerprint(allow_list.slug, now) == (allow_list.pk, fresh)
    Adoption.objects.filter(model__slug="mini").update(expires_at=now)  # lapses at `now`
    assert allow_list_module.fingerprint(allow_list.slug, now)[1] != fresh


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_200_reads_its_etag_and_rows_from_one_snapshot(unit, outsider):
    """Outside a caller's transaction (as served), the 200's fingerprint and rows are read in
    one transaction, REPEATABLE READ on PostgreSQL, so its ETag is its body's state."""
    adopt(unit, AIModelFactory(slug="mini", name="Mini"))
    api = token_client(outsider)
    with CaptureQueriesContext(connection) as captured:
        first = api.get(URL)
    sql = [query["sql"] for query in captured.captured_queries]
    if connection.vendor == "postgresql":
        assert "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" in sql
    assert first.status_code == 200
    assert api.get(URL, headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_if_match_is_still_honoured(api, allow_list):
    etag = api.get(URL)["ETag"]
    assert api.get(URL, headers={"If-Match": etag}).status_code == 200
    assert api.get(URL, headers={"If-Match": '"stale"'}).status_code == 412


def test_a_poll_of_an_unknown_unit_is_the_same_404_as_a_plain_get(api, allow_list):
    plain = api.get("/api/v1/business-units/nobody/models/")
    polled = api.get("/api/v1/business-units/nobody/models/", headers={"If-None-Match": '"x"'})
    assert plain.status_code == polled.status_code == 404
    assert plain.json() == polled.json()

"""The catalog page: one URL for page and htmx fragment, filters from the shared FilterSet."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import ModelStatus, PriceUnit
from catalog.counts import catalog_changed
from catalog.models import Specialty
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def shelf(db):
    openai, mistral = VendorFactory(slug="openai", name="OpenAI"), VendorFactory(slug="mistral")
    return {
        "mini": AIModelFactory(
            name="GPT Mini", vendor=openai, parameters=8_000_000_000, parameters_estimated=True
        ),
        "large": AIModelFactory(
            name="GPT Large",
            vendor=openai,
            input_price_per_mtok=Decimal("10"),
            specialties=["code"],
        ),
        "small": AIModelFactory(name="Ministral", vendor=mistral, specialties=["code"]),
        "free": AIModelFactory(
            name="Mystery", vendor=mistral, input_price_per_mtok=None, output_price_per_mtok=None
        ),
        "rerank": AIModelFactory(
            name="Rerank Pro",
            vendor=mistral,
            price_unit=PriceUnit.PER_QUERY,
            input_price_per_mtok=Decimal("0.002"),
            output_price_per_mtok=None,
        ),
        "draft": AIModelFactory(name="GPT Draft", vendor=openai, status=ModelStatus.UNDER_REVIEW),
    }


@pytest.fixture
def browse(client, member):
    client.force_login(member)
    return client


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/models/[^"]+/">([^<]+)</a>', html)


def test_catalog_lists_approved_models_with_prices_sizes_and_units(browse, shelf):
    html = browse.get("/").content.decode()
    assert _names(html) == ["GPT Large", "GPT Mini", "Ministral", "Mystery", "Rerank Pro"]
    assert "unpriced" in html and "$0.00<" not in html
    assert "8B est." in html
    assert "$0.002" in html and "per query" in html
    assert "GPT Draft" not in html


def test_search_and_vendor_filter_narrow_the_list(browse, shelf):
    html = browse.get("/", {"search": "gpt", "vendor": "openai", "status": "any"}).content.decode()
    assert _names(html) == ["GPT Draft", "GPT Large", "GPT Mini"]
    assert 'value="gpt"' in html
    assert '<option value="openai" selected>' in html


def test_specialty_price_and_availability_filters_apply(browse, shelf):
    html = browse.get("/", {"specialty": "code", "max_input_price": "5"}).content.decode()
    assert _names(html) == ["Ministral"]
    shelf["mini"].availability_status = "up"
    shelf["mini"].save()
    assert _names(browse.get("/", {"available": "true"}).content.decode()) == ["GPT Mini"]


def test_sorting_by_input_price_puts_unpriced_models_last_both_ways(browse, shelf):
    ascending = _names(browse.get("/", {"ordering": "input_price"}).content.decode())
    descending = _names(browse.get("/", {"ordering": "-input_price"}).content.decode())
    # Rerank Pro is priced per query: after every per-token price, before the unpriced.
    assert ascending[0] == "GPT Mini" and ascending[-2:] == ["Rerank Pro", "Mystery"]
    assert descending[0] == "GPT Large" and descending[-1] == "Mystery"


def test_sorted_column_says_so_and_links_to_the_other_direction(browse, shelf):
    html = browse.get("/", {"ordering": "input_price", "vendor": "openai"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?ordering=-input_price&amp;vendor=openai" in html


def test_htmx_request_gets_only_the_results_and_a_clean_url_to_push(browse, shelf):
    response = browse.get("/", {"search": "gpt", "vendor": "", "page": "1"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html
    assert _names(html) == ["GPT Large", "GPT Mini"]
    assert response["HX-Push-Url"] == "/?search=gpt"
    pushed = browse.get("/", {"status": "approved", "vendor": "openai"}, headers=HTMX)
    assert pushed["HX-Push-Url"] == "/?vendor=openai"
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page_with_the_urls_filters_filled_in(browse, shelf):
    response = browse.get(
        "/",
        {"search": "mini", "vendor": "mistral"},
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" in html and 'value="mini"' in html
    assert '<option value="mistral" selected>' in html
    assert _names(html) == ["Ministral"]
    assert "HX-Request" in response["Vary"]


def test_any_status_shows_models_under_review(browse, shelf):
    html = browse.get("/", {"status": "any", "search": "draft"}).content.decode()
    assert _names(html) == ["GPT Draft"]


def _vendor_options(html: str) -> list[str]:
    select = re.search(r'<select id="id_vendor" name="vendor">(.*?)</select>', html, re.S)
    assert select
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def test_the_vendor_choices_are_the_vendors_with_a_model_under_the_status_shown(browse, shelf):
    VendorFactory(slug="idle", name="Idle & <Co>")  # no model: under no status but "any"
    assert _vendor_options(browse.get("/").content.decode()) == ["All vendors", "Mistral", "OpenAI"]
    html = browse.get("/", {"status": "under_review"}).content.decode()
    assert _vendor_options(html) == ["All vendors", "OpenAI"]
    html = browse.get("/", {"status": "any", "vendor": "idle"}).content.decode()
    assert _vendor_options(html) == ["All vendors", "Idle &amp; &lt;Co&gt;", "Mistral", "OpenAI"]
    assert '<option value="idle" selected>Idle &amp; &lt;Co&gt;</option>' in html
    assert _vendor_options(browse.get("/", {"status": "nonsense"}).content.decode()) == [
        "All vendors"
    ]


def test_the_filter_choices_follow_each_saved_change_without_a_query_until_then(
    browse, shelf, django_capture_on_commit_callbacks
):
    browse.get("/")
    with CaptureQueriesContext(connection) as queries:
        html = browse.get("/").content.decode()
    tables = ('FROM "catalog_vendor"', 'FROM "catalog_specialty"')
    assert not [q for q in queries if any(table in q["sql"] for table in tables)]
    assert '<option value="code">Code</option>' in html
    openai = shelf["mini"].vendor
    openai.name = "OpenAI Inc."
    with django_capture_on_commit_callbacks(execute=True):
        openai.save()
        AIModelFactory(name="Le Chat", vendor=VendorFactory(slug="le-chat", name="Le Chat SAS"))
    html = browse.get("/").content.decode()
    assert _vendor_options(html) == ["All vendors", "Le Chat SAS", "Mistral", "OpenAI Inc."]
    with django_capture_on_commit_callbacks(execute=True):
        Specialty.objects.filter(slug="code").update(name="Coding")
        catalog_changed()
    assert '<option value="code">Coding</option>' in browse.get("/").content.decode()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"vendor": "nobody"}, "Vendor"),
        ({"max_input_price": "-1"}, "Max input price"),
        ({"max_input_price": "cheap"}, "Max input price"),
        ({"ordering": "password"}, "Sort by"),
        ({"search": "a\x00b"}, "search"),
    ],
)
def test_bad_filter_values_answer_400_naming_the_field_by_its_label(browse, shelf, params, field):
    response = browse.get("/", params)
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()


def test_pages_link_to_each_other_keeping_the_filters(browse, db):
    for index in range(120):
        AIModelFactory(name=f"Chat {index:03d}", vendor=VendorFactory(slug="acme"))
    html = browse.get("/", {"vendor": "acme"}).content.decode()
    assert "1–50 of 120 models" in html and "vendor=acme&amp;page=2" in html
    assert "<span>of 3</span>" in html
    last = browse.get("/", {"vendor": "acme", "page": "3"}).content.decode()
    assert "101–120 of 120 models" in last and 'name="page" value="3"' in last
    assert "1–25 of 120" in browse.get("/", {"vendor": "acme", "page_size": "25"}).content.decode()
    assert (
        "1–50 of 120" in browse.get("/", {"vendor": "acme", "page_size": "9999"}).content.decode()
    )


def test_pages_have_no_inline_script_style_or_event_handler(browse, shelf):
    """So a strict Content-Security-Policy (script-src 'self') can be switched on."""
    html = browse.get("/").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag or "application/json" in tag for tag in scripts)
    assert not re.search(r"\sstyle=|\son[a-z]+=|hx-on|javascript:", html)

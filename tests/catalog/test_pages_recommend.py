"""The right-sizing wizard page: ranking with dollar figures, exclusions, bad input named."""

import re
from decimal import Decimal

import pytest

from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db
M = 1_000_000


@pytest.fixture
def browse(client, member):
    client.force_login(member)
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


@pytest.fixture
def shelf():
    openai = VendorFactory(name="OpenAI")
    return [
        chat("frontier", "3", "15", vendor=openai, size_class="frontier"),
        chat("mini", "0.15", "0.6", vendor=openai, size_class="small"),
        chat("short", "0.01", "0.01", context_window=4_000),
        chat("secretive", "0.05", "0.05", max_data_classification="public"),
    ]


USE_CASE = {
    "specialty": "chat",
    "monthly_input_tokens": 50 * M,
    "monthly_output_tokens": 10 * M,
    "min_context": 32_000,
    "data_classification": "internal",
    "business_unit": "",
    "min_score": "",
}


def _ranked(html):
    return re.findall(r'<th scope="row"><a href="/models/([-\w]+)/">', html)


def test_empty_wizard_shows_the_labelled_form_and_no_results(browse):
    html = browse.get("/recommend/").content.decode()
    for label in (
        "Specialty",
        "Monthly input tokens",
        "Monthly output tokens",
        "Minimum context",
        "Data classification",
        "Business unit",
        "Quality floor",
    ):
        assert f">{label}</label>" in html
    assert ">Recommend</button>" in html
    assert 'href="/recommend/" aria-current="page">Recommend</a>' in html
    assert "Excluded" not in html and 'role="alert"' not in html


def test_wizard_ranks_cheapest_first_with_monthly_dollars_and_request_links(browse, shelf):
    response = browse.get("/recommend/", USE_CASE)
    assert response.status_code == 200
    html = response.content.decode()
    assert _ranked(html) == ["mini", "frontier"]
    # 50M × $0.15 + 10M × $0.60 = $13.50; 50M × $3 + 10M × $15 = $300.00
    assert re.search(r"Mini</a>.*?<strong>\$13\.50</strong>", html, re.S)
    assert re.search(r"Frontier</a>.*?<strong>\$300\.00</strong>", html, re.S)
    assert "cheapest eligible" in html and "context 128,000 ≥ 32,000" in html
    assert html.count('href="/requests/new/?model=mini" role="button"') == 1
    assert 'href="/requests/new/?model=frontier" role="button"' in html


def test_wizard_lists_excluded_models_with_their_reasons(browse, shelf):
    html = browse.get("/recommend/", USE_CASE).content.decode()
    excluded = html.split("<h2>Excluded</h2>", 1)[1]
    assert "Short</a> — context 4,000 &lt; 32,000" in excluded
    assert "Secretive</a> — cleared only for public data" in excluded
    assert "Mini</a>" not in excluded


def test_deprecated_model_is_offered_flagged_only_when_nothing_else_fits(browse):
    chat("old", "1", "1", status="deprecated")
    html = browse.get("/recommend/", USE_CASE).content.decode()
    assert _ranked(html) == ["old"]
    assert 'Old</a> <span class="status status-deprecated">Deprecated</span>' in html


def test_quality_floor_excludes_models_below_it(browse, shelf):
    mini = shelf[1]
    mini.evaluations.create(
        task="mmlu", metric="accuracy", score="0.7", source="x", date="2026-01-01"
    )
    shelf[0].evaluations.create(
        task="mmlu", metric="accuracy", score="0.9", source="x", date="2026-01-01"
    )
    html = browse.get("/recommend/", {**USE_CASE, "min_score": "mmlu:0.8"}).content.decode()
    assert _ranked(html) == ["frontier"]
    assert "Mini</a> — mmlu 0.7000 &lt; 0.8" in html


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"monthly_input_tokens": "lots"}, "Monthly input tokens"),
        ({"monthly_output_tokens": "-5"}, "Monthly output tokens"),
        ({"min_context": "10" * 20}, "Minimum context"),
        ({"data_classification": "secret"}, "Data classification"),
        ({"business_unit": "nowhere"}, "Business unit"),
        ({"min_score": "mmlu"}, "Quality floor"),
        ({"specialty": "juggling"}, "Specialty"),
        ({"specialty": ""}, "Specialty"),
    ],
)
def test_bad_input_is_named_inline_never_a_server_error(browse, shelf, params, label):
    response = browse.get("/recommend/", {**USE_CASE, **params})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<p><strong>{label}</strong>: " in html
    assert "<h2>Excluded</h2>" not in html


def test_htmx_swap_returns_the_results_with_field_messages_and_a_clean_url(browse, shelf):
    fragment = browse.get("/recommend/", USE_CASE, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html and _ranked(html) == ["mini", "frontier"]
    assert fragment["HX-Push-Url"] == (
        "/recommend/?specialty=chat&monthly_input_tokens=50000000"
        "&monthly_output_tokens=10000000&min_context=32000&data_classification=internal"
    )
    assert "HX-Request" in fragment["Vary"]
    bad = browse.get(
        "/recommend/", {**USE_CASE, "min_context": "x"}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 400
    assert re.search(
        r'<small id="error-min_context" class="field-error" hx-swap-oob="true" role="alert">'
        r"A valid integer is required.</small>",
        bad.content.decode(),
    )


def test_plain_get_renders_the_form_filled_from_the_url(browse, shelf):
    html = browse.get("/recommend/", {**USE_CASE, "min_score": "mmlu:0.1"}).content.decode()
    assert '<option value="chat" selected>' in html
    assert 'name="monthly_input_tokens" value="50000000"' in html
    assert 'name="min_score" value="mmlu:0.1"' in html

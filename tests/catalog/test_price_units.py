"""Prices in their own units (issue 15, item 2): per-token prices in the per-1M columns and
sorts; per query or image apart and sorted last; embeddings have no output price."""

from decimal import Decimal

import pytest

from catalog.choices import PriceUnit
from catalog.templatetags.catalog_ui import price_text
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def priced(db):
    return {
        "rerank": AIModelFactory(
            name="Rerank",
            price_unit=PriceUnit.PER_QUERY,
            input_price_per_mtok=Decimal("0.002"),
            output_price_per_mtok=None,
        ),
        "cheap": AIModelFactory(
            name="Cheap Chat",
            input_price_per_mtok=Decimal("0.10"),
            output_price_per_mtok=Decimal("0.40"),
        ),
        "dear": AIModelFactory(
            name="Dear Chat",
            input_price_per_mtok=Decimal("15"),
            output_price_per_mtok=Decimal("75"),
        ),
        "embed": AIModelFactory(
            name="Embedder",
            input_price_per_mtok=Decimal("0.02"),
            output_price_per_mtok=Decimal("0"),
            output_modalities=["embedding"],
        ),
    }


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("input_price", ["Embedder", "Cheap Chat", "Dear Chat", "Rerank"]),
        ("-input_price", ["Dear Chat", "Cheap Chat", "Embedder", "Rerank"]),
    ],
)
def test_a_price_per_query_sorts_after_every_per_token_price_both_ways(
    client, member, priced, ordering, expected
):
    client.force_login(member)
    api = client.get("/api/v1/models/", {"ordering": ordering})
    assert [row["name"] for row in api.json()["results"]] == expected
    html = client.get("/", {"ordering": ordering}, headers=HTMX).content.decode()
    order = sorted(priced.values(), key=lambda m: html.index(f'<a href="/models/{m.slug}/">'))
    assert [m.name for m in order] == expected


def test_a_price_per_query_spans_both_columns_with_its_unit(client, member, priced):
    client.force_login(member)
    html = client.get("/", headers=HTMX).content.decode()
    assert (
        '<td class="num other-unit" colspan="2">in $0.002 <small class="muted">per query</small>'
        in html
    )


def test_an_embedding_shows_no_output_price_on_list_compare_and_model_page(client, member, priced):
    client.force_login(member)
    embed = priced["embed"]
    row = client.get("/", {"search": "Embedder"}, headers=HTMX).content.decode()
    assert '<td class="num">$0.02</td><td class="num"><span class="muted">—</span></td>' in row
    compare = client.get("/compare/", {"m": [embed.slug, priced["cheap"].slug]})
    assert compare.context["rows"][7]["label"] == "Output price"
    assert compare.context["rows"][7]["values"][0] == "—"
    page = client.get(f"/models/{embed.slug}/").content.decode()
    assert "<dt>Output</dt><dd>—</dd>" in page


@pytest.mark.parametrize(
    ("exact", "shown"),
    [("1.24999", "$1.25"), ("15.00002", "$15.00"), ("29.99997", "$30.00"), ("0.002", "$0.002")],
)
def test_a_price_shows_at_most_four_significant_digits(exact, shown):
    assert price_text(Decimal(exact)) == shown


def test_float_noise_is_rounded_on_the_pages_with_the_exact_price_on_hover(client, member):
    noisy = AIModelFactory(
        name="Noisy", input_price_per_mtok=Decimal("1.24999"), output_price_per_mtok=Decimal("3")
    )
    client.force_login(member)
    row = client.get("/", headers=HTMX).content.decode()
    assert '<td class="num"><span title="$1.24999">$1.25</span></td>' in row
    assert '<td class="num">$3.00</td>' in row
    page = client.get(f"/models/{noisy.slug}/").content.decode()
    assert '<strong><span title="$1.24999">$1.25</span></strong>' in page
    compare = client.get("/compare/", {"m": [noisy.slug]}).context["rows"]
    assert compare[6]["values"] == ["$1.25 per 1M tokens"]


def test_the_blended_price_weighs_input_three_to_one_and_sorts_the_rest_last(client, member):
    AIModelFactory(
        name="Chatty", input_price_per_mtok=Decimal("1"), output_price_per_mtok=Decimal("10")
    )
    AIModelFactory(
        name="Even", input_price_per_mtok=Decimal("2"), output_price_per_mtok=Decimal("2")
    )
    AIModelFactory(name="Half", input_price_per_mtok=Decimal("1"), output_price_per_mtok=None)
    AIModelFactory(
        name="Per Query",
        price_unit=PriceUnit.PER_QUERY,
        input_price_per_mtok=Decimal("0.001"),
        output_price_per_mtok=Decimal("0.001"),
    )
    client.force_login(member)
    api = client.get("/api/v1/models/", {"ordering": "blended_price"}).json()["results"]
    assert [row["name"] for row in api][:2] == ["Even", "Chatty"]
    html = client.get("/", {"ordering": "-blended_price"}, headers=HTMX).content.decode()
    assert html.index(">Chatty<") < html.index(">Even<") < html.index(">Half<")
    assert '<td class="num">$10.00</td><td class="num">$3.25</td>' in html
    assert "Blended = (3 × input + 1 × output) ÷ 4" in html

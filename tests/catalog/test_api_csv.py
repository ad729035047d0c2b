"""`?format=csv`: the catalog, a unit's allow-list and its savings as spreadsheet downloads,
streamed, every matching row, Decimals as written, dates ISO 8601, formulas neutralized."""

import csv
import html
import io
import re
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.api.pagination import MAX_PAGE_SIZE
from catalog.choices import ModelStatus
from core.csv_export import cell, safe_text
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_catalog_csv_has_every_matching_row_in_the_apis_order_not_one_page(member):
    openai = VendorFactory(slug="openai")
    for n in range(MAX_PAGE_SIZE + 20):
        AIModelFactory(slug=f"gpt-{n:04d}", vendor=openai, input_price_per_mtok=Decimal(n % 7))
    AIModelFactory(slug="claude")
    AIModelFactory(slug="old-gpt", vendor=openai, status=ModelStatus.RETIRED)
    params = {"vendor": "openai", "status": "approved", "ordering": "-input_price"}
    api = token_client(member)

    rows = rows_of(api.get("/api/v1/models/", {**params, "format": "csv"}))

    assert len(rows) == MAX_PAGE_SIZE + 20
    assert {r["vendor"] for r in rows} == {"openai"} and "old-gpt" not in {r["slug"] for r in rows}
    first_page = api.get("/api/v1/models/", {**params, "page_size": MAX_PAGE_SIZE}).json()
    assert [r["slug"] for r in rows[:MAX_PAGE_SIZE]] == [m["slug"] for m in first_page["results"]]


def test_catalog_csv_writes_decimals_as_written_dates_iso_and_utf8(member):
    AIModelFactory(
        slug="tiny",
        name="Petit modèle ✓",
        input_price_per_mtok=Decimal("0.000001"),
        output_price_per_mtok=Decimal("123456.100000"),
        output_modalities=["text", "code"],
        release_date="2026-01-31",
    )
    (row,) = rows_of(token_client(member).get("/api/v1/models/?format=csv"))
    assert row["name"] == "Petit modèle ✓"
    assert (row["input_price_per_mtok"], row["output_price_per_mtok"]) == (
        "0.000001",
        "123456.100000",
    )
    assert row["release_date"] == "2026-01-31" and row["output_modalities"] == "text; code"
    assert list(row)[:3] == ["slug", "name", "vendor"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_catalog_csv_neutralizes_cells_a_spreadsheet_would_run(member, start):
    AIModelFactory(
        slug="evil", name=f'{start}HYPERLINK("http://x.test","hi")', family=f"{start}1+1"
    )
    (row,) = rows_of(token_client(member).get("/api/v1/models/?format=csv"))
    assert row["name"] == f'\'{start}HYPERLINK("http://x.test","hi")'
    assert row["family"] == f"'{start}1+1"


def test_cells_are_text_decimals_and_iso_dates_with_numbers_left_alone():
    assert cell(Decimal("1.50")) == "1.50" and cell(Decimal("-2.10")) == "-2.10"
    assert cell("-2.10", numeric=True) == "-2.10" and cell("-2.10") == "'-2.10"
    assert cell(None) == "" and cell(True) == "true" and cell(["=a", "b"]) == "'=a; b"
    assert safe_text("plain") == "plain" and safe_text("@SUM(A1)") == "'@SUM(A1)"


def test_a_bad_filter_with_format_csv_is_a_json_400(member):
    answer = token_client(member).get("/api/v1/models/", {"format": "csv", "vendor": "nope"})
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json" and "vendor" in answer.json()


def test_a_units_allow_list_as_csv(member, unit):
    adopt(unit, AIModelFactory(slug="gpt-4o"), use_case="=cmd|' /C calc'!A0")
    adopt(
        unit,
        AIModelFactory(slug="claude", input_price_per_mtok=None, output_price_per_mtok=None),
        use_case="Drafts",
        expected_monthly_input_tokens=1_000_000,
    )
    rows = rows_of(
        token_client(member).get(f"/api/v1/business-units/{unit.slug}/models/?format=csv")
    )
    by_model = {r["model"]: r for r in rows}
    assert set(by_model) == {"gpt-4o", "claude"}
    assert by_model["gpt-4o"]["use_case"] == "'=cmd|' /C calc'!A0"
    assert by_model["claude"]["estimated_monthly_cost"] == ""  # unpriced, never 0
    assert (
        by_model["gpt-4o"]["expires_at"][:4].isdigit() and "T" in by_model["gpt-4o"]["expires_at"]
    )


def test_a_units_savings_as_csv(member, unit):
    expensive = AIModelFactory(
        slug="big", specialties=["chat"], input_price_per_mtok=Decimal("10.000000")
    )
    AIModelFactory(slug="small", specialties=["chat"], input_price_per_mtok=Decimal("0.100000"))
    adopt(unit, expensive, expected_monthly_input_tokens=10_000_000)
    url = f"/api/v1/business-units/{unit.slug}/savings/"
    api = token_client(member)
    saved = api.get(url).json()["results"]
    rows = rows_of(api.get(url, {"format": "csv"}))
    assert rows[0]["model"] == "big" and rows[0]["alternative"] == "small"
    assert Decimal(rows[0]["monthly_saving"]) > 0
    assert [r["model"] for r in rows] == [s["model"]["slug"] for s in saved]
    assert [r["monthly_saving"] for r in rows] == [s["monthly_saving"] or "" for s in saved]
    assert [r["current_monthly_cost"] for r in rows] == [s["current_monthly_cost"] for s in saved]


def _csv_link(page) -> str:
    found = re.search(
        r'<a href="([^"]+)"[^>]*download[^>]*>Download CSV</a>', page.content.decode()
    )
    assert found, "no Download CSV link"
    return html.unescape(found.group(1))


def test_the_catalog_pages_csv_link_carries_its_filters_and_gets_every_row(client, member):
    openai = VendorFactory(slug="openai")
    for n in range(60):  # more than the page's 50 rows
        AIModelFactory(slug=f"gpt-{n:02d}", vendor=openai, input_price_per_mtok=Decimal(n))
    AIModelFactory(slug="under-review", vendor=openai, status=ModelStatus.UNDER_REVIEW)
    AIModelFactory(slug="claude")
    client.force_login(member)

    page = client.get("/", {"vendor": "openai", "ordering": "-input_price", "page": "2"})
    link = _csv_link(page)
    assert "page=" not in link and "format=csv" in link and "status=approved" in link
    rows = rows_of(client.get(link))
    assert [r["slug"] for r in rows] == [f"gpt-{n:02d}" for n in reversed(range(60))]
    fragment = client.get("/", {"vendor": "nope-none"}, headers={"HX-Request": "true"})
    assert "vendor=nope-none" in _csv_link(fragment)  # the live results keep the link current


def test_the_unit_page_links_its_allow_list_and_savings_as_csv(client, member, unit):
    adopt(
        unit,
        AIModelFactory(slug="gpt-4o", specialties=["chat"]),
        expected_monthly_input_tokens=10_000_000,
    )
    AIModelFactory(slug="cheaper", specialties=["chat"], input_price_per_mtok=Decimal("0.01"))
    client.force_login(member)
    page = client.get(f"/business-units/{unit.slug}/").content.decode()
    links = [html.unescape(u) for u in re.findall(r'<a href="([^"]+)" download>Download CSV', page)]
    assert len(links) == 2
    assert [r["model"] for r in rows_of(client.get(links[0]))] == ["gpt-4o"]
    assert rows_of(client.get(links[1]))[0]["alternative"] == "cheaper"


def _csv_queries(api, rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert len(rows_of(api.get("/api/v1/models/?format=csv"))) == rows
    return len(queries)


def test_catalog_csv_queries_grow_by_chunk_not_by_row(member):
    api = token_client(member)
    AIModelFactory.create_batch(3, specialties=["chat"])
    few = _csv_queries(api, 3)
    AIModelFactory.create_batch(37, specialties=["chat"])
    assert _csv_queries(api, 40) == few
    with patch("catalog.api.exports.CSV_CHUNK", 10):
        assert _csv_queries(api, 40) == few + 3 * 2  # three more chunks: rows and specialties

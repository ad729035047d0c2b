"""/evals/, /evals/<suite>/ (run form, polled runs, chart data) and /landscape/."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest

from catalog.choices import ModelStatus
from catalog.models import AvailabilityCheck
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
B = 1_000_000_000


def chart_data(html: str, node_id: str):
    match = re.search(rf'<script id="{node_id}" type="application/json">(.*?)</script>', html)
    return json.loads(match.group(1)) if match else None


def test_the_list_shows_shared_suites_and_hides_other_units_private_ones(
    client, member, other_unit
):
    EvalSuite.objects.create(slug="shared", name="Shared suite")
    EvalSuite.objects.create(slug="secret", name="Secret suite", unit=other_unit)
    client.force_login(member)
    html = client.get("/evals/").content.decode()
    assert "Shared suite" in html and "Secret suite" not in html
    assert client.get("/evals/secret/").status_code == 404


def test_a_catalog_admin_starts_runs_from_the_picker_and_sees_them_finished(
    client, catalog_admin, chat_models, sql_suite, django_capture_on_commit_callbacks
):
    client.force_login(catalog_admin)
    page = client.get("/evals/sql-from-questions/").content.decode()
    assert 'name="models"' in page and 'value="codestral"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/evals/sql-from-questions/runs/", {"models": ["codestral", "mistral-large"]}
        )
    assert response.status_code == 302
    html = client.get("/evals/sql-from-questions/").content.decode()
    assert 'hx-trigger="every 2s"' not in html  # nothing left to poll
    points = chart_data(html, "eval-points")
    assert len(points) == 2
    assert {p["y"] for p in points} == {0.85, 0.925}
    assert all(p["x"] > 0 for p in points)


def test_members_without_the_suites_unit_get_no_run_form_and_403_on_post(
    client, member, chat_models, sql_suite
):
    client.force_login(member)
    assert 'name="models"' not in client.get("/evals/sql-from-questions/").content.decode()
    response = client.post("/evals/sql-from-questions/runs/", {"models": ["codestral"]})
    assert response.status_code == 403
    assert not EvalRun.objects.exists()


def test_a_running_run_is_polled_by_htmx_and_the_fragment_comes_alone(
    client, member, chat_models, sql_suite
):
    EvalRun.objects.create(
        suite=sql_suite, model=chat_models["small"], status=RunStatus.RUNNING, cases=40, done=12
    )
    client.force_login(member)
    page = client.get("/evals/sql-from-questions/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "12 / 40" in page
    fragment = client.get("/evals/sql-from-questions/", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section id="runs"')


def test_an_unpriced_run_is_listed_as_unpriced_and_left_off_the_log_chart(
    client, member, chat_models, sql_suite
):
    EvalRun.objects.create(
        suite=sql_suite, model=chat_models["claude"], status=RunStatus.FINISHED, cases=40,
        pass_rate=Decimal("0.9"), cost_usd=None,
    )  # fmt: skip
    client.force_login(member)
    html = client.get("/evals/sql-from-questions/").content.decode()
    assert "unpriced" in html and chart_data(html, "eval-points") is None


def test_landscape_draws_size_price_growth_and_latency_with_a_specialty_filter(client, member):
    AIModelFactory(name="Small coder", parameters=7 * B, input_price_per_mtok=Decimal("0.2"),
                   specialties=["chat", "code"])  # fmt: skip
    AIModelFactory(name="Big chat", parameters=400 * B, input_price_per_mtok=Decimal("3"),
                   specialties=["chat"])  # fmt: skip
    AIModelFactory(name="Pending", parameters=9 * B, status=ModelStatus.UNDER_REVIEW)
    for family, params, year, status in [
        ("GPT-1", 117_000_000, 2018, ModelStatus.RETIRED),
        ("GPT-2", 1_500_000_000, 2019, ModelStatus.RETIRED),
        ("GPT-3", 175 * B, 2020, ModelStatus.RETIRED),
        ("GPT-4", 1760 * B, 2023, ModelStatus.DEPRECATED),
    ]:
        model = AIModelFactory(name=family, family=family, parameters=params, status=status,
                               release_date=date(year, 6, 1))  # fmt: skip
    AvailabilityCheck.objects.create(model=model, checked_at="2026-11-01T00:00Z", status="up",
                                     latency_ms=800)  # fmt: skip
    client.force_login(member)
    html = client.get("/landscape/").content.decode()
    prices = chart_data(html, "size-price-data")["series"]
    assert prices["Code"] == [{"x": 7.0, "y": 0.2, "label": "Small coder"}]
    assert [p["label"] for p in prices["Chat"]] == ["Big chat"]
    growth = chart_data(html, "growth-data")["series"]["GPT"]
    assert [(p["x"], p["y"]) for p in growth] == [
        (2018, 0.117), (2019, 1.5), (2020, 175.0), (2023, 1760.0)
    ]  # fmt: skip
    latency = chart_data(html, "latency-data")["series"]
    assert latency == {"Unspecified": [{"x": 1760.0, "y": 800, "label": "GPT-4"}]}
    filtered = client.get("/landscape/?specialty=code").content.decode()
    assert list(chart_data(filtered, "size-price-data")["series"]) == ["Code"]
    assert client.get("/landscape/?specialty=nope").status_code == 200
    assert client.get("/landscape/?specialty=%00nope").status_code == 400  # NUL is refused


def test_landscape_colours_a_chat_model_that_reads_images_as_chat(client, member):
    from catalog.models import Specialty

    Specialty.objects.get_or_create(slug="vision", defaults={"name": "Vision"})
    AIModelFactory(name="Omni", parameters=8 * B, input_price_per_mtok=Decimal("0.15"),
                   specialties=["chat", "vision"])  # fmt: skip
    AIModelFactory(name="Eyes only", parameters=12 * B, input_price_per_mtok=Decimal("0.3"),
                   specialties=["vision"])  # fmt: skip
    client.force_login(member)
    prices = chart_data(client.get("/landscape/").content.decode(), "size-price-data")["series"]
    assert [p["label"] for p in prices["Chat"]] == ["Omni"]
    assert [p["label"] for p in prices["Vision"]] == ["Eyes only"]


def test_landscape_places_small_embedding_and_rerank_models_by_their_size_class(client, member):
    from catalog.choices import PriceUnit
    from catalog.models import Specialty

    for slug in ("embedding", "rerank"):
        Specialty.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    AIModelFactory(name="Embed small", parameters=None, size_class="small",
                   input_price_per_mtok=Decimal("0.02"), specialties=["embedding"])  # fmt: skip
    AIModelFactory(name="Rerank by tokens", parameters=None, size_class="small",
                   input_price_per_mtok=Decimal("0.05"), specialties=["rerank"])  # fmt: skip
    AIModelFactory(name="Rerank by query", parameters=None, size_class="small",
                   input_price_per_mtok=Decimal("0.002"), price_unit=PriceUnit.PER_QUERY,
                   specialties=["rerank"])  # fmt: skip
    client.force_login(member)
    html = client.get("/landscape/").content.decode()
    prices = chart_data(html, "size-price-data")["series"]
    assert prices["Embedding"] == [{"x": 4.0, "y": 0.02, "label": "Embed small (by size class)"}]
    assert [p["label"] for p in prices["Rerank"]] == ["Rerank by tokens (by size class)"]
    assert "not on this chart" in html and "Rerank by query</a> ($0.002 per query)" in html


def test_landscape_explains_an_empty_latency_chart_before_the_first_availability_run(
    client, member
):
    AIModelFactory(name="Unchecked", parameters=8 * B)
    client.force_login(member)
    html = client.get("/landscape/").content.decode()
    assert 'data-chart="latency-size"' not in html
    assert "they appear once the availability job has run" in html

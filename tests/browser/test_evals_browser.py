# ruff: noqa: F811 - fixtures imported from the evaluations conftest are requested by name
"""/evals/<suite>/ in Chromium under a strict CSP: pick models, watch the runs, see the chart."""

from decimal import Decimal

from playwright.sync_api import expect

from evaluations.choices import RunStatus
from evaluations.models import EvalRun
from tests.evaluations.conftest import chat_models, fake, sql_suite  # noqa: F401 - fixtures


def test_an_admin_runs_the_suite_on_two_models_and_the_chart_draws_them(
    open_as, catalog_admin, chat_models, sql_suite
):
    page = open_as(catalog_admin)
    page.goto("/evals/sql-from-questions/")
    expect(page.get_by_role("heading", name="SQL from questions")).to_be_visible()
    page.get_by_label("Models to ask every case").select_option(["codestral", "mistral-large"])
    page.get_by_role("button", name="Run the suite").click()
    expect(page.get_by_text("Started 2 runs.")).to_be_visible()
    rows = page.locator("#runs-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Finished")).to_have_count(2)
    expect(page.locator("#runs-table")).to_contain_text("85 %")
    expect(page.locator("#runs-table")).to_contain_text("92.5 %")  # 37 of 40, as elsewhere
    expect(page.locator("figure.chart.drawn canvas[data-chart=eval-cost]")).to_be_visible()


def test_a_running_run_updates_in_place_until_it_finishes(open_as, member, chat_models, sql_suite):
    run = EvalRun.objects.create(
        suite=sql_suite, model=chat_models["code"], status=RunStatus.RUNNING, cases=40, done=10
    )
    page = open_as(member)
    page.goto("/evals/sql-from-questions/")
    expect(page.locator("#runs-table")).to_contain_text("10 / 40")
    page.evaluate("window.stillTheSamePage = true")
    EvalRun.objects.filter(pk=run.pk).update(done=30)
    expect(page.locator("#runs-table")).to_contain_text("30 / 40", timeout=8000)
    EvalRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FINISHED, done=40, passed=34, pass_rate=Decimal("0.85"),
        cost_usd=Decimal("0.0015"),
    )  # fmt: skip
    expect(page.locator("#runs-table")).to_contain_text("Finished", timeout=8000)
    expect(page.locator("figure.chart.drawn canvas[data-chart=eval-cost]")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # polled, never reloaded


def test_the_landscape_draws_its_charts_and_filters_by_specialty(open_as, member):
    from datetime import date

    from catalog.models import Specialty
    from tests.factories import AIModelFactory

    Specialty.objects.get_or_create(slug="code", defaults={"name": "Code"})
    Specialty.objects.get_or_create(slug="chat", defaults={"name": "Chat"})
    AIModelFactory(name="Small coder", parameters=7 * 10**9, specialties=["code"])
    AIModelFactory(name="Big chat", parameters=400 * 10**9, specialties=["chat"])
    AIModelFactory(name="GPT-2", family="GPT-2", parameters=1_500_000_000,
                   release_date=date(2019, 2, 14), status="retired")  # fmt: skip
    page = open_as(member)
    page.goto("/landscape/")
    expect(page.locator("figure.chart.drawn canvas[data-chart=size-price]")).to_be_visible()
    expect(page.locator("figure.chart.drawn canvas[data-chart=family-growth]")).to_be_visible()
    expect(page.locator("#growth-table")).to_contain_text("GPT-2")
    page.locator("#landscape-specialty").select_option("code")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#size-price-table tbody tr")).to_have_count(1)
    expect(page.locator("#size-price-table")).to_contain_text("Small coder")


def _finished_runs(suite, models) -> None:
    for key, rate, cost in [
        ("small", "0.80", "0.0004"), ("code", "0.925", "0.003"), ("frontier", "0.95", "0.04"),
    ]:  # fmt: skip
        EvalRun.objects.create(
            suite=suite, model=models[key], status=RunStatus.FINISHED, cases=40, done=40,
            pass_rate=Decimal(rate), cost_usd=Decimal(cost),
        )  # fmt: skip


def test_mallory_sorts_the_runs_by_their_headers_on_a_phone_and_at_her_desk(
    open_as, member, chat_models, sql_suite
):
    import re

    _finished_runs(sql_suite, chat_models)
    for viewport in ({"width": 390, "height": 844}, {"width": 1366, "height": 900}):
        page = open_as(member)
        page.set_viewport_size(viewport)
        page.goto("/evals/sql-from-questions/")
        page.evaluate("window.stillTheSamePage = true")
        first = page.locator("#runs-table tbody tr").first
        page.get_by_role("button", name="Pass rate", exact=True).click()
        expect(page).to_have_url(re.compile(r"sort=-pass_rate"))
        expect(first).to_contain_text(chat_models["frontier"].name)
        page.get_by_role("button", name="Pass rate", exact=True).click()
        expect(page).to_have_url(re.compile(r"sort=pass_rate"))
        expect(first).to_contain_text(chat_models["small"].name)
        page.get_by_role("button", name="Cost / 1,000 cases", exact=True).click()
        expect(first).to_contain_text(chat_models["small"].name)
        assert page.evaluate("window.stillTheSamePage") is True  # swapped in place


def test_tapping_a_point_of_the_chart_names_its_model_and_figures(
    open_as, member, chat_models, sql_suite
):
    _finished_runs(sql_suite, chat_models)
    page = open_as(member)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/evals/sql-from-questions/")
    canvas = page.locator("figure.chart.drawn canvas[data-chart=eval-cost]")
    expect(canvas).to_be_visible()
    point = canvas.evaluate(
        """c => { const chart = Chart.getChart(c);
           const i = chart.data.datasets.findIndex(d => d.label.includes("Codestral")
             || d.data[0].y === 92.5);
           const p = chart.getDatasetMeta(i).data[0]; return {x: p.x, y: p.y}; }"""
    )
    canvas.click(position=point)
    expect(page.get_by_text("92.5 % pass rate at $0.0750 per 1,000 cases")).to_be_visible()

# ruff: noqa: F811 - fixtures imported from the evaluations conftest are requested by name
"""A requester cites an eval run on the request form, and the approver follows it to the run,
on a laptop and on a phone, under a strict CSP."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import ApprovalRequest
from evaluations.models import EvalRun
from evaluations.services.runs import runs_start
from tests.evaluations.conftest import chat_models, fake, sql_suite  # noqa: F401 - fixtures

SIZES = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _finished_runs(suite, *models):
    runs = runs_start(suite=suite, models=models)  # eager tasks: finished once committed
    return [EvalRun.objects.get(pk=run.pk) for run in runs]


def _no_sideways_scroll(page):
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} scrolls sideways: {width} > {inner}"


@pytest.mark.parametrize("size", SIZES)
def test_a_requester_cites_a_run_and_the_approver_follows_it_to_the_run(
    open_as, member, approver, chat_models, sql_suite, size
):
    code = chat_models["code"]
    run, other = _finished_runs(sql_suite, code, chat_models["frontier"])
    page = open_as(member)
    page.set_viewport_size(SIZES[size])
    page.goto(f"/requests/new/?model={code.slug}")
    choice = page.get_by_label(f"#{run.pk} SQL from questions")
    label = page.locator(f"label[for={choice.get_attribute('id')}]")
    expect(label).to_contain_text("pass rate 85.0 %")
    expect(label).to_contain_text("per 1,000 cases")
    expect(label).to_contain_text(f"p50 {run.latency_p50_ms} ms")
    expect(page.get_by_label(f"#{other.pk} ")).to_have_count(0)  # another model's run
    _no_sideways_scroll(page)
    page.get_by_label("Use case").fill("Turn questions into SQL")
    page.get_by_label("Expected monthly input tokens").fill("1000000")
    page.get_by_label("Expected monthly output tokens").fill("200000")
    page.get_by_label("Justification").fill("As good as the frontier model on our suite")
    choice.check()
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_text("Request submitted")).to_be_visible()
    evidence = page.get_by_role("link", name="sql-from-questions")
    expect(evidence).to_have_attribute("href", f"/evals/sql-from-questions/#run-{run.pk}")
    assert list(ApprovalRequest.objects.get().evidence.all()) == [run.evaluation]

    desk = open_as(approver)
    desk.set_viewport_size(SIZES[size])
    desk.goto("/approvals/")
    row = desk.locator(".approval-row", has_text=code.name)
    expect(row).to_contain_text("pass rate 85 %")
    _no_sideways_scroll(desk)
    row.get_by_role("link", name="sql-from-questions").click()
    expect(desk).to_have_url(re.compile(rf"/evals/sql-from-questions/#run-{run.pk}$"))
    expect(desk.locator(f"#run-{run.pk}")).to_contain_text(code.name)


def test_a_run_of_another_model_slipped_into_the_form_gets_an_error_on_its_field(
    open_as, member, chat_models, sql_suite
):
    code = chat_models["code"]
    run, other = _finished_runs(sql_suite, code, chat_models["frontier"])
    page = open_as(member)
    page.goto(f"/requests/new/?model={code.slug}")
    choice = page.get_by_label(f"#{run.pk} SQL from questions")
    choice.evaluate(f"input => input.value = '{other.pk}'")  # a tampered or stale form
    choice.check()
    error = page.locator("#error-eval_run")
    expect(error).to_contain_text(f"Eval run #{other.pk} asked {chat_models['frontier'].name}")
    expect(error).to_have_attribute("role", "alert")
    page.get_by_label("Use case").fill("Turn questions into SQL")
    page.get_by_label("Expected monthly input tokens").fill("1")
    page.get_by_label("Expected monthly output tokens").fill("1")
    page.get_by_label("Justification").fill("Cheap")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#error-eval_run")).to_contain_text("cite a run of the model you request")
    assert not ApprovalRequest.objects.exists()

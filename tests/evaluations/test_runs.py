"""Runs against the fake vendor over real HTTP on loopback, Celery eager."""

from decimal import Decimal

import pytest

from catalog.models import Evaluation
from evaluations.choices import RunStatus
from evaluations.models import EvalResult, EvalRun
from evaluations.services.runs import run_execute, runs_start
from evaluations.services.suites import SuiteInput, suite_import

pytestmark = pytest.mark.django_db


def start(suite, *models, capture):
    with capture(execute=True):
        runs = runs_start(suite=suite, models=models)
    return [EvalRun.objects.get(pk=run.pk) for run in runs]


def test_a_code_specialist_comes_within_ten_percent_of_a_frontier_model_on_sql(
    chat_models, sql_suite, fake, django_capture_on_commit_callbacks
):
    small, code, frontier = (chat_models[k] for k in ("small", "code", "frontier"))
    runs = start(sql_suite, small, code, frontier, capture=django_capture_on_commit_callbacks)
    rates = {run.model.slug: run.pass_rate for run in runs}
    assert all(run.status == RunStatus.FINISHED and run.done == 40 for run in runs)
    assert rates == {
        "ministral-3b": Decimal("0.5500"),
        "codestral": Decimal("0.8500"),
        "mistral-large": Decimal("0.9250"),
    }
    assert rates["codestral"] >= Decimal("0.9") * rates["mistral-large"]
    assert all(r.input_tokens and r.output_tokens for r in EvalResult.objects.all())
    large = runs[2]
    assert large.latency_p50_ms >= 200 > runs[0].latency_p95_ms
    expected = (Decimal(large.input_tokens) * 2 + Decimal(large.output_tokens) * 6) / Decimal(
        1_000_000
    )
    assert large.cost_usd == expected.quantize(Decimal("0.00000001"))
    evaluation = Evaluation.objects.get(model=code, task="sql-from-questions")
    assert (evaluation.metric, evaluation.source, evaluation.score) == (
        "pass_rate", "modelshelf", Decimal("0.8500"),
    )  # fmt: skip


def test_the_anthropic_format_is_spoken_and_a_missing_price_leaves_the_cost_unknown(
    chat_models, sql_suite, django_capture_on_commit_callbacks
):
    (run,) = start(sql_suite, chat_models["claude"], capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FINISHED
    assert run.pass_rate == Decimal("0.9250")
    assert run.output_tokens > 0 and run.cost_usd is None


def test_a_redelivered_run_asks_only_the_missing_cases_and_counts_each_once(
    chat_models, sql_suite, fake, django_capture_on_commit_callbacks
):
    model = chat_models["small"]
    (run,) = start(sql_suite, model, capture=lambda execute: _no_commit())
    assert run_execute(run_id=run.pk, budget_seconds=0) is False  # one window, then stops
    first = EvalResult.objects.filter(run=run).count()
    assert 0 < first < 40
    EvalRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert run_execute(run_id=run.pk) is True
    assert run_execute(run_id=run.pk) is True  # a third delivery changes nothing
    run.refresh_from_db()
    assert (run.done, run.cases, EvalResult.objects.filter(run=run).count()) == (40, 40, 40)
    assert run.passed == 22
    asked = [n for key, n in fake.hits.items() if key.startswith("chat:")]
    assert len(asked) == 40 and set(asked) == {1}  # every case asked exactly once
    assert Evaluation.objects.filter(model=model).count() == 1


def _no_commit():
    from contextlib import nullcontext

    return nullcontext()


def test_faults_are_recorded_per_case_and_retries_recover_rate_limits(
    chat_models, settings, django_capture_on_commit_callbacks
):
    settings.EVAL_MAX_RETRIES = 1
    cases = [
        (1, {"prompt": "fine [[fault:none]]", "expected": "sure", "grader": "contains"}),
        (2, {"prompt": "key [[fault:401]]", "expected": "x", "grader": "exact"}),
        (3, {"prompt": "busy [[fault:429]]", "expected": "x", "grader": "exact"}),
        (4, {"prompt": "slow [[fault:timeout]]", "expected": "x", "grader": "exact"}),
        (5, {"prompt": "junk [[fault:junk]]", "expected": "x", "grader": "exact"}),
        (6, {"prompt": "half [[fault:malformed]]", "expected": "x", "grader": "exact"}),
    ]
    suite = suite_import(data=SuiteInput(slug="faults", name="Faults", cases=cases))
    (run,) = start(suite, chat_models["small"], capture=django_capture_on_commit_callbacks)
    by_case = {r.case.position: r for r in run.results.select_related("case")}
    assert by_case[1].error == "" and by_case[1].passed  # "I am not sure." contains "sure"
    assert by_case[2].http_status == 401 and by_case[2].attempts == 1
    assert by_case[3].http_status == 429 and by_case[3].attempts == 2
    assert "timed out" in by_case[4].error and by_case[4].attempts == 2
    assert "junk completion" in by_case[5].error
    assert "malformed JSON" in by_case[6].error
    assert run.status == RunStatus.FINISHED
    assert (run.done, run.passed) == (6, 1)
    assert [e["case"] for e in run.errors] == [2, 3, 4, 5, 6]


def test_a_vendor_without_an_api_url_fails_the_run_without_an_evaluation(
    chat_models, sql_suite, django_capture_on_commit_callbacks
):
    model = chat_models["small"]
    model.vendor.api_base_url = ""
    model.vendor.save()
    (run,) = start(sql_suite, model, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert "has no API base URL" in run.errors[0]["error"]
    assert not Evaluation.objects.exists()


def test_a_rate_limit_on_the_first_calls_is_retried_after_retry_after(
    chat_models, sql_suite, fake, settings, django_capture_on_commit_callbacks
):
    settings.EVAL_CONCURRENCY_PER_VENDOR = 1
    model = chat_models["small"]
    model.vendor.api_base_url = f"{fake.url}/_fault/429:2/mistral/v1"
    model.vendor.save()
    (run,) = start(sql_suite, model, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FINISHED and run.errors == []
    assert run.results.get(case__position=1).attempts == 3
    assert run.passed == 22


def test_a_retry_that_would_start_past_the_task_budget_leaves_the_case_to_the_next_task(
    chat_models, settings
):
    settings.EVAL_MAX_RETRIES = 1
    cases = [
        (1, {"prompt": "fine", "expected": "x", "grader": "exact"}),
        (2, {"prompt": "busy [[fault:429]]", "expected": "x", "grader": "exact"}),
    ]
    suite = suite_import(data=SuiteInput(slug="busy", name="Busy", cases=cases))
    run = EvalRun.objects.create(suite=suite, model=chat_models["small"])
    assert run_execute(run_id=run.pk, budget_seconds=0) is False
    assert [r.case.position for r in run.results.all()] == [1]  # 2 is not failed: put off
    assert run_execute(run_id=run.pk, budget_seconds=60) is True
    result = run.results.get(case__position=2)
    assert (result.http_status, result.attempts) == (429, 2)


def test_a_vendor_that_always_says_later_cannot_keep_a_run_open_forever(chat_models, settings):
    settings.EVAL_MAX_RETRIES = 1
    cases = [(1, {"prompt": "busy [[fault:429]]", "expected": "x", "grader": "exact"})]
    suite = suite_import(data=SuiteInput(slug="busy", name="Busy", cases=cases))
    run = EvalRun.objects.create(suite=suite, model=chat_models["small"])
    assert run_execute(run_id=run.pk, budget_seconds=0) is True  # waited this once
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.results.get().attempts == 2

"""Eval runs under the truth rules (issue 25, item 8): an answer with a NUL is stored without
it, an unexpected error closes the run as failed with the reason, a run whose cases were taken
away under it ends, a suite with runs has read-only cases, and Claude's system prompt is billed."""

import httpx
import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from evaluations.chat import ChatClient
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from evaluations.services import runs as runs_service
from evaluations.services.runs import run_execute, runs_start
from evaluations.services.suites import SuiteInput, suite_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def suite_of(*prompts: str) -> EvalSuite:
    cases = [
        (n, {"prompt": prompt, "expected": "sure", "grader": "contains"})
        for n, prompt in enumerate(prompts, 1)
    ]
    return suite_import(data=SuiteInput(slug="s", name="S", cases=cases))


def test_an_answer_with_a_nul_is_stored_without_it_and_the_run_finishes(chat_models):
    (run,) = runs_start(
        suite=suite_of("nul [[fault:nul]]"), models=[chat_models["small"]], queue=False
    )

    assert run_execute(run_id=run.pk) is True

    run.refresh_from_db()
    (result,) = run.results.all()
    assert run.status == RunStatus.FINISHED
    assert "\x00" not in result.output and result.output.startswith("I am not sure.")


def test_an_unexpected_error_closes_the_run_as_failed_with_the_reason(chat_models, monkeypatch):
    (run,) = runs_start(suite=suite_of("q"), models=[chat_models["small"]], queue=False)

    def broken(vendor_slug):
        raise RuntimeError("slot table gone")

    monkeypatch.setattr(runs_service, "vendor_slots", broken)

    assert run_execute(run_id=run.pk) is True

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert "RuntimeError('slot table gone')" in run.errors[0]["error"]


def test_a_run_whose_cases_were_deleted_under_it_ends_instead_of_requeueing(chat_models):
    suite = suite_of("one", "two", "three")
    (run,) = runs_start(suite=suite, models=[chat_models["small"]], queue=False)
    EvalRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)  # claimed with 3 cases
    suite.cases.filter(position=3).delete()

    assert run_execute(run_id=run.pk) is True

    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.done == 2


def test_a_suite_with_runs_has_read_only_cases_in_the_admin(chat_models):
    suite = suite_of("q")
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = admin_user
    (inline,) = site._registry[EvalSuite].get_inline_instances(request, suite)
    assert inline.has_delete_permission(request, suite)

    runs_start(suite=suite, models=[chat_models["small"]], queue=False)

    assert not inline.has_delete_permission(request, suite)
    assert not inline.has_change_permission(request, suite)
    assert not inline.has_add_permission(request, suite)


def test_the_fake_vendor_bills_anthropics_system_prompt_as_input(chat_models):
    model = chat_models["claude"]
    long_system = [{"role": "system", "content": "Answer in SQL only. " * 50}]
    question = [{"role": "user", "content": "How many orders?"}]
    with httpx.Client() as client:
        chat = ChatClient(client, model, max_retries=0, retry_after_max=0)
        bare = chat.ask(question)
        with_system = chat.ask(long_system + question)

    assert with_system.input_tokens - bare.input_tokens >= 200  # 1,000 characters ≈ 250 tokens

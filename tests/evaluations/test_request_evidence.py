"""A request form cites a finished eval run of the requested model; the approvers see it."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import ApprovalRequest, Evaluation
from evaluations.choices import RunStatus
from evaluations.models import EvalRun
from evaluations.services.runs import runs_start

pytestmark = pytest.mark.django_db
FORM = {
    "business_unit": "marketing",
    "use_case": "Turn questions into SQL",
    "data_classification": "internal",
    "expected_monthly_input_tokens": "1000000",
    "expected_monthly_output_tokens": "200000",
    "justification": "As good as the big one on our suite",
}


@pytest.fixture
def finished(chat_models, sql_suite, django_capture_on_commit_callbacks):
    """Finished runs of the code specialist and the frontier model, over the fake vendor."""
    models = (chat_models["code"], chat_models["frontier"])
    with django_capture_on_commit_callbacks(execute=True):
        runs = runs_start(suite=sql_suite, models=models)
    return {run.model.slug: EvalRun.objects.get(pk=run.pk) for run in runs}


def _url(model):
    return f"/requests/new/?model={model.slug}"


def test_a_finished_run_links_the_evaluation_it_recorded_to_its_row(finished):
    run = finished["codestral"]
    assert run.evaluation == Evaluation.objects.get(model=run.model, task="sql-from-questions")
    assert run.evaluation.url == f"/evals/sql-from-questions/#run-{run.pk}"


def test_the_form_offers_only_finished_runs_of_the_model_with_pass_rate_cost_and_latency(
    client, member, chat_models, finished
):
    code = chat_models["code"]
    EvalRun.objects.create(suite=finished["codestral"].suite, model=code, status="running")
    client.force_login(member)
    html = client.get(_url(code)).content.decode()
    offered = re.findall(r'name="eval_run" value="(\d+)"', html)
    assert offered == [str(finished["codestral"].pk)]  # not the running one, not the frontier's
    run = finished["codestral"]
    label = (
        f"#{run.pk} SQL from questions, {run.finished_at:%d %b %Y}: pass rate 85.0 %, "
        f"${run.cost_per_1000_cases:.6f}".rstrip("0")
    )
    assert label in html and f"p50 {run.latency_p50_ms} ms" in html


def test_citing_a_run_stores_its_evaluation_and_the_approver_sees_a_link_to_the_run(
    client, member, approver, chat_models, finished
):
    run = finished["codestral"]
    client.force_login(member)
    response = client.post(_url(chat_models["code"]), FORM | {"eval_run": str(run.pk)})
    request = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert list(request.evidence.all()) == [run.evaluation]  # what the API's evidence stores
    link = f'href="/evals/sql-from-questions/#run-{run.pk}"'
    client.force_login(approver)
    for page in ("/approvals/", f"/requests/{request.pk}/"):
        html = client.get(page).content.decode()
        assert link in html and "pass rate 85 %" in html, page


def test_a_request_without_a_run_cites_nothing(client, member, chat_models, finished):
    client.force_login(member)
    client.post(_url(chat_models["code"]), FORM | {"eval_run": ""})
    assert not ApprovalRequest.objects.get().evidence.exists()


@pytest.mark.parametrize(
    ("cited", "message"),
    [
        ("frontier", "asked {frontier}, not {code}: cite a run of the model you request"),
        ("running", "is running, not finished: cite a finished run"),
        ("missing", "There is no eval run #"),
        ("junk", "Pick one of the eval runs listed"),
    ],
)
def test_a_bad_run_is_refused_on_the_eval_run_field(
    client, member, chat_models, finished, cited, message
):
    code = chat_models["code"]
    running = EvalRun.objects.create(
        suite=finished["codestral"].suite, model=code, status=RunStatus.RUNNING,
        started_at=timezone.now(), pass_rate=Decimal("0.5"),
    )  # fmt: skip
    value = {
        "frontier": str(finished["mistral-large"].pk),
        "running": str(running.pk),
        "missing": "999999",
        "junk": "12abc",
    }[cited]
    client.force_login(member)
    response = client.post(_url(code), FORM | {"eval_run": value})
    html = response.content.decode()
    assert response.status_code == 400
    error = re.search(r'id="error-eval_run"[^>]*>(.*?)</', html, re.S)
    names = {"frontier": chat_models["frontier"].name, "code": code.name}
    assert error and message.format(**names) in error.group(1)
    assert not ApprovalRequest.objects.exists()


def test_the_inline_check_names_the_eval_run_field(client, member, chat_models, finished):
    client.force_login(member)
    response = client.post(
        _url(chat_models["code"]),
        FORM | {"eval_run": str(finished["mistral-large"].pk), "_validate": "1"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "eval_run"},
    )
    html = response.content.decode()
    assert 'id="error-eval_run"' in html and "cite a run of the model you request" in html

# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""An eval run in a real Celery worker on PostgreSQL and Redis, against the fake vendor over
HTTP, with the worker killed (SIGKILL) in the middle of the run."""

import re
import time

import pytest

from evaluations.choices import RunStatus
from evaluations.models import EvalResult, EvalRun
from evaluations.tasks import run_eval
from fakevendor.chat import case_key
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    Worker,
    requires_real_servers,
    wait_for,
    worker,
)
from tests.evaluations.conftest import demo_suite


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_run_resumes_without_asking_a_recorded_case_again(
    worker, fake, chat_models
):
    fake.latency_ms = 150
    suite = demo_suite("sql-from-questions")
    model = chat_models["small"]
    run = EvalRun.objects.create(suite=suite, model=model, cases=40)
    first = worker(EVAL_CONCURRENCY_PER_VENDOR="4")
    sent_at = time.monotonic()
    run_eval.delay(run.pk)
    results = EvalResult.objects.filter(run=run)
    wait_for(lambda: results.count() >= 8, timeout=30, what="the run to record 8 cases")
    first.kill9()
    recorded = results.values_list("case__messages", flat=True).order_by()
    recorded_keys = {case_key(messages[-1]["content"]) for messages in recorded}
    assert 8 <= len(recorded_keys) < 40, "the kill must land mid-run"

    # Redis hands the unacknowledged task on once its visibility timeout has passed.
    time.sleep(max(0.0, sent_at + Worker.VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    worker(EVAL_CONCURRENCY_PER_VENDOR="4")
    wait_for(
        lambda: EvalRun.objects.filter(pk=run.pk, status=RunStatus.FINISHED).exists(),
        timeout=60,
        what="the redelivered run to finish",
    )
    run.refresh_from_db()
    asked = {key.rsplit(":", 1)[1]: n for key, n in fake.hits.items() if key.startswith("chat:")}
    assert len(asked) == 40
    assert all(asked[key] == 1 for key in recorded_keys)  # recorded cases never asked again
    in_flight = sum(n - 1 for n in asked.values())
    assert in_flight <= 4  # only calls in flight at the kill were lost and asked again
    assert (run.cases, run.done, results.count(), run.passed) == (40, 40, 40, 22)
    print(
        f"\nkill -9 mid-run: {len(recorded_keys)} of 40 cases recorded before the kill, none "
        f"asked again; {in_flight} in-flight call(s) repeated; totals exact (40 done, 22 passed)"
    )


@requires_real_servers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_longer_than_its_task_budget_carries_on_in_fresh_tasks_within_the_time_limit(
    worker, fake, chat_models
):
    fake.latency_ms = 600  # 40 cases, 4 at a time: 6 s, three times the task's 2 s budget
    suite = demo_suite("sql-from-questions")
    run = EvalRun.objects.create(suite=suite, model=chat_models["small"], cases=40)
    process = worker(EVAL_CONCURRENCY_PER_VENDOR="4", EVAL_TASK_BUDGET_SECONDS="2")
    run_eval.delay(run.pk)
    wait_for(
        lambda: EvalRun.objects.filter(pk=run.pk, status=RunStatus.FINISHED).exists(),
        timeout=60,
        what="the run to finish across tasks",
    )
    run.refresh_from_db()
    assert (run.done, run.passed, EvalResult.objects.filter(run=run).count()) == (40, 22, 40)
    took = [
        float(s)
        for s in re.findall(r"run_eval\[.*\] succeeded in ([\d.]+)s", process.log.read_text())
    ]
    assert len(took) >= 3 and max(took) < 10, took  # several tasks, each under the soft limit
    asked = [n for key, n in fake.hits.items() if key.startswith("chat:")]
    assert len(asked) == 40 and set(asked) == {1}  # handing over asked no case twice

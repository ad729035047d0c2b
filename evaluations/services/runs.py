"""Evaluation runs: start them, ask every case through the model's vendor, total them up.

The database is the ledger: a case counts once it has its EvalResult (unique per run and case),
so a redelivered task asks only the cases still missing and the totals are recomputed from the
results, never incremented.
"""

import logging
import math
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.choices import PriceUnit
from catalog.models import AIModel, Evaluation
from core.http import VendorError, outbound_client, redact
from core.jobs import enqueue
from evaluations.chat import ChatClient, RetryLater
from evaluations.choices import RunStatus
from evaluations.graders import grade
from evaluations.models import EvalCase, EvalResult, EvalRun, EvalSuite
from evaluations.slots import Slots, SlotsUnavailable, vendor_slots

log = logging.getLogger(__name__)
EXCERPT = 2000
MAX_RUN_ERRORS = 50
MTOK = Decimal(1_000_000)
CENTS_8 = Decimal("0.00000001")


@transaction.atomic
def runs_start(
    *, suite: EvalSuite, models: Iterable[AIModel], user: Any = None, queue: bool = True
) -> list[EvalRun]:
    """One queued run per model; the tasks are sent once the rows are committed (`queue`
    off: the caller runs them itself, as the demo seed does)."""

    cases = suite.cases.count()
    runs = [
        EvalRun.objects.create(suite=suite, model=model, started_by=user, cases=cases)
        for model in models
    ]
    for run in runs if queue else []:
        transaction.on_commit(partial(enqueue, "evaluations.tasks.run_eval", run.pk))
    return runs


def _claim(run_id: int) -> EvalRun | None:
    with transaction.atomic():
        run = (
            EvalRun.objects.select_for_update()
            .select_related("suite", "model__vendor")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status in (RunStatus.FINISHED, RunStatus.FAILED):
            return None
        if run.status == RunStatus.QUEUED:
            run.status, run.started_at = RunStatus.RUNNING, timezone.now()
            run.cases = run.suite.cases.count()
            run.save(update_fields=["status", "started_at", "cases"])
    return run


def _ask(
    chat: ChatClient, slots: Slots, case: EvalCase, deadline: float | None
) -> EvalResult | None:
    """Runs in a pool thread: HTTP and grading only, no database. None: retry in a later task."""
    result = EvalResult(case=case)
    try:
        with slots.hold():
            reply = chat.ask(case.messages, deadline=deadline)
    except (RetryLater, SlotsUnavailable):
        return None
    except VendorError as exc:
        result.error = without_nul(str(exc)[:500])
        result.http_status = exc.http_status
        result.latency_ms = exc.latency_ms
        result.attempts = getattr(exc, "attempts", 1)
        return result
    result.output = without_nul(redact(reply.text))[:EXCERPT]  # no key an echo carried
    result.latency_ms = reply.latency_ms
    result.input_tokens, result.output_tokens = reply.input_tokens, reply.output_tokens
    result.attempts = reply.attempts
    result.passed = grade(case.grader, reply.text, case.expected, case.tolerance)
    return result


def _answers(
    chat: ChatClient, vendor_slug: str, cases: list[EvalCase], deadline: float, *, patient: bool
) -> Iterator[list[EvalResult]]:
    """Results in batches as they arrive. Each pool thread takes the next case itself, so a
    slot never waits for the caller's database writes; after `deadline` no new case is sent
    (the rest wait for the next task), though every thread asks at least one."""
    slots = vendor_slots(vendor_slug)
    todo: queue.SimpleQueue[EvalCase] = queue.SimpleQueue()
    for case in cases:
        todo.put(case)
    done: queue.SimpleQueue[EvalResult | None] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        try:
            first = True
            while not stop.is_set() and (first or time.monotonic() < deadline):
                first = False
                try:
                    case = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    retry_until = None if patient else deadline
                    if (result := _ask(chat, slots, case, retry_until)) is not None:
                        done.put(result)
                except Exception as exc:  # noqa: BLE001 - one odd answer must not stop the run
                    error = without_nul(f"could not grade: {exc!r}"[:500])
                    done.put(EvalResult(case=case, error=error))
        finally:
            done.put(None)

    alive = min(settings.EVAL_CONCURRENCY_PER_VENDOR, len(cases))
    for _ in range(alive):
        threading.Thread(target=work, name="eval", daemon=True).start()
    try:
        while alive:
            try:  # a timeout, so the task's soft time limit (a signal) can interrupt here
                arrived = [done.get(timeout=0.25)]
            except queue.Empty:
                continue
            while not done.empty():
                arrived.append(done.get())
            alive -= arrived.count(None)
            if batch := [result for result in arrived if result is not None]:
                yield batch
    finally:
        stop.set()


def without_nul(text: str) -> str:
    """Text PostgreSQL can store: a NUL in a vendor's answer is shown as U+FFFD, never sent."""
    return text.replace("\x00", "\ufffd")


def run_execute(*, run_id: int, budget_seconds: float | None = None) -> bool:
    """Ask the run's missing cases; True when the run is closed, False when a next task must
    carry on (the time budget ran out first). An unexpected error closes the run as failed
    with the reason: no run stays "running" for ever, and no task re-queues itself for ever."""
    run = _claim(run_id)
    if run is None:
        return True
    budget = settings.EVAL_TASK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    try:
        recorded = _ask_missing(run, deadline, patient=False)
        if recorded == 0:
            # Every retry was put off (a long Retry-After): wait this once, so each task
            # records something and a vendor that always says "later" cannot loop forever.
            recorded = _ask_missing(run, deadline, patient=True)
    except VendorError as exc:
        return _close(run, failure=without_nul(str(exc)))
    except Exception as exc:
        log.exception("eval run %s", run.pk)
        return _close(run, failure=without_nul(f"unexpected error: {exc!r}"[:500]))
    # Done when no case of the suite lacks a result: counted against the cases there are, not
    # those there were, so a case deleted under the run cannot keep it re-queueing for ever.
    missing = run.suite.cases.exclude(pk__in=run.results.values("case_id"))
    if recorded is not None and missing.exists():
        _progress(run)
        return False
    return _close(run)


def _ask_missing(run: EvalRun, deadline: float, *, patient: bool) -> int | None:
    """Ask the cases without a result; how many got one (None: nothing was left to ask)."""
    done_ids = set(run.results.values_list("case_id", flat=True))
    todo = [c for c in run.suite.cases.order_by("position") if c.pk not in done_ids]
    if not todo:
        return None
    timeout = httpx.Timeout(settings.EVAL_TIMEOUT_SECONDS)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    recorded = 0
    with outbound_client(timeout=timeout, limits=limits) as client:
        chat = ChatClient(
            client,
            run.model,
            max_retries=settings.EVAL_MAX_RETRIES,
            retry_after_max=float(getattr(settings, "VENDOR_RETRY_AFTER_MAX", 60)),
        )
        last_progress = time.monotonic()
        batches = _answers(chat, run.model.vendor.slug, todo, deadline, patient=patient)
        for batch in batches:
            for result in batch:
                result.run = run
            with transaction.atomic():  # a refused batch must not poison the connection
                EvalResult.objects.bulk_create(batch, ignore_conflicts=True)
            recorded += len(batch)
            if time.monotonic() - last_progress > 0.5:
                _progress(run)
                last_progress = time.monotonic()
    return recorded


def _progress(run: EvalRun) -> None:
    EvalRun.objects.filter(pk=run.pk).update(done=run.results.count())


def percentile(values: list[int], share: float) -> int | None:
    """Nearest-rank percentile: a latency that some case really had."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run_cost(model: AIModel, tokens_in: int | None, tokens_out: int | None) -> Decimal | None:
    """USD from the catalog price; None (unpriced) when a needed price or count is unknown."""
    if tokens_in is None or tokens_out is None or model.price_unit != PriceUnit.PER_MTOK:
        return None
    prices = ((tokens_in, model.input_price_per_mtok), (tokens_out, model.output_price_per_mtok))
    if any(price is None and tokens for tokens, price in prices):
        return None
    total = sum((Decimal(tokens) * (price or 0) / MTOK for tokens, price in prices), Decimal(0))
    return total.quantize(CENTS_8)


class _Row(NamedTuple):
    position: int
    weight: Decimal
    passed: bool
    error: str
    http_status: int | None
    latency_ms: int | None
    input_tokens: int | None
    output_tokens: int | None


@transaction.atomic
def _close(run: EvalRun, *, failure: str = "") -> bool:
    """Totals from the results (exact however often the task ran), then the Evaluation."""
    run = EvalRun.objects.select_for_update().select_related("model", "suite").get(pk=run.pk)
    if run.status in (RunStatus.FINISHED, RunStatus.FAILED):
        return True
    # Plain tuples, not model instances: the totals need a few columns of each result.
    results = [
        _Row(*row)
        for row in run.results.order_by("case__position").values_list(
            "case__position",
            "case__weight",
            "passed",
            "error",
            "http_status",
            "latency_ms",
            "input_tokens",
            "output_tokens",
        )  # fmt: skip
    ]
    answered = [r for r in results if not r.error]
    weights = sum((r.weight for r in results), Decimal(0))
    passed_weight = sum((r.weight for r in results if r.passed), Decimal(0))
    run.done = len(results)
    run.passed = sum(1 for r in results if r.passed)
    if results:
        rate = passed_weight / weights if weights else Decimal(run.passed) / len(results)
        run.pass_rate = rate.quantize(Decimal("0.0001"))
    latencies = [r.latency_ms for r in answered if r.latency_ms is not None]
    run.latency_p50_ms, run.latency_p95_ms = percentile(latencies, 0.5), percentile(latencies, 0.95)
    counts_known = all(r.input_tokens is not None and r.output_tokens is not None for r in answered)
    # Failed calls are not billed; answered ones with unknown counts make the totals unknown.
    run.input_tokens = sum(r.input_tokens or 0 for r in answered) if counts_known else None
    run.output_tokens = sum(r.output_tokens or 0 for r in answered) if counts_known else None
    run.cost_usd = run_cost(run.model, run.input_tokens, run.output_tokens)
    errors: list[dict[str, Any]] = [{"error": failure}] if failure else []
    errors += [
        {"case": r.position, "error": r.error, "http_status": r.http_status}
        for r in results
        if r.error
    ][:MAX_RUN_ERRORS]
    if not counts_known:
        errors.append({"error": "the vendor sent no usable token counts: cost unknown"})
    run.errors = errors
    run.status = RunStatus.FINISHED if answered and not failure else RunStatus.FAILED
    run.finished_at = timezone.now()
    run.save()
    if run.status == RunStatus.FINISHED and run.pass_rate is not None:
        # One Evaluation per model, suite and day: a later run that day updates it and links it.
        run.evaluation, _ = Evaluation.objects.update_or_create(
            model=run.model,
            task=run.suite.slug,
            metric="pass_rate",
            source="modelshelf",
            date=run.finished_at.date(),
            # A private suite's score stays its unit's (Evaluation.objects.visible_to).
            defaults={"score": run.pass_rate, "url": run_url(run), "unit_id": run.suite.unit_id},
        )
        run.save(update_fields=["evaluation"])
    return True


def run_url(run: EvalRun) -> str:
    """The run's row on its suite's page."""
    return f"{reverse('evaluations:suite_detail', args=[run.suite.slug])}#run-{run.pk}"

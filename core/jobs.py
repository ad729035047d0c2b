"""The rules every job run follows: it leaves a JobRun that ends with `finished_at` set (an
unexpected error recorded on it), one left open by a killed worker is closed as interrupted by
the next run of its kind, and what a job did is summed over the runs it wrote."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from celery import current_app
from celery.result import AsyncResult
from django.conf import settings
from django.utils import timezone

from core.http import MAX_PROBLEMS, redact
from core.models import JobRun

log = logging.getLogger(__name__)


@contextmanager
def job_run(kind: str, **fields: object) -> Iterator[JobRun]:
    """A JobRun for the block: created on entry, finished on exit; an exception is recorded as
    the run's error and raised again, so the task's own retry rules still apply."""
    run = JobRun.objects.create(kind=kind, started_at=timezone.now(), **fields)
    try:
        yield run
    except Exception as exc:
        log.exception("%s failed", kind)
        error = redact(f"{type(exc).__name__}: {exc}")
        run.errors = [*run.errors, {"error": error, "permanent": False}]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()


def enqueue(task_name: str, *args: object, **kwargs: object) -> AsyncResult[Any]:
    """Queue a registered task by name: services and plumbing start jobs without importing
    the task modules above them (tasks import services, never the other way round)."""
    if task_name not in current_app.tasks:
        # Celery's autodiscovery is lazy: a worker imports every app's tasks when it starts, a
        # web process never does, and its notifications and jobs were NotRegistered.
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name].delay(*args, **kwargs)


@dataclass
class JobResult:
    """`retry_vendors` failed transiently and are worth another try after `retry_after`."""

    runs: list[JobRun] = field(default_factory=list)
    retry_vendors: list[str] = field(default_factory=list)
    retry_after: float | None = None

    @property
    def checked(self) -> int:
        return sum(r.checked for r in self.runs)

    @property
    def changed(self) -> int:
        return sum(r.changed for r in self.runs)

    @property
    def flagged(self) -> int:
        return sum(r.flagged for r in self.runs)

    @property
    def errors(self) -> list[dict[str, object]]:
        return [e for r in self.runs for e in r.errors]


def job_runs_close_interrupted(*, kind: str) -> int:
    """Close runs of `kind` still open after the task time limit: their worker died (kill -9,
    OOM, a lost machine) and nothing else will ever finish them. Returns how many."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    error = {
        "error": "interrupted: the run did not finish within the task time limit",
        "permanent": False,
    }
    return JobRun.objects.filter(kind=kind, finished_at__isnull=True, started_at__lt=cutoff).update(
        finished_at=now, errors=[error]
    )


def problem_records(problems: list[str], **context: object) -> list[dict[str, object]]:
    """Per-item problems of one answer as JobRun errors: the first few, then how many more."""
    records: list[dict[str, object]] = [
        {**context, "error": redact(problem), "permanent": True}
        for problem in problems[:MAX_PROBLEMS]
    ]
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        records.append({**context, "error": f"and {more} more such items", "permanent": True})
    return records

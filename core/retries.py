"""Retrying only what failed: the backoff every job's task uses.

A failing vendor or source never stops the others: the services record each one's errors on its
JobRun and report those worth retrying; those alone are retried, with exponential backoff plus
jitter, never sooner than the vendor's (clamped) Retry-After.

Celery's `autoretry_for` would retry the whole task with its first arguments and cannot wait
for a Retry-After, so the tasks retry by hand; the backoff is still Celery's own
(`retry_backoff`, `retry_backoff_max`, `retry_jitter` on the task, computed by the function
Celery's autoretry uses). Every delay stays at most VENDOR_RETRY_AFTER_MAX, below the broker's
visibility timeout: a longer ETA makes Redis hand the delayed retry out again and again.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from celery import Task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

log = logging.getLogger(__name__)


class RetryOptions(TypedDict):
    """The backoff options every job's task is declared with (typed for `shared_task`)."""

    max_retries: int
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool


RETRY_OPTIONS: RetryOptions = {
    "max_retries": 5,
    "retry_backoff": 2,  # s, doubled per retry: 2, 4, 8…
    "retry_backoff_max": settings.VENDOR_RETRY_AFTER_MAX,
    "retry_jitter": True,  # full jitter: workers retrying one vendor spread out
}


# Celery sets retry_backoff & co. on the task from its options; the stubs do not know them.
JobTask = Task[Any, Any]


def retry_countdown(task: JobTask, retry_after: float | None) -> float:
    """Celery's jittered exponential backoff, at least the vendor's Retry-After, at most
    VENDOR_RETRY_AFTER_MAX."""
    backoff = get_exponential_backoff_interval(
        factor=getattr(task, "retry_backoff", 2),
        retries=task.request.retries,
        maximum=getattr(task, "retry_backoff_max", settings.VENDOR_RETRY_AFTER_MAX),
        full_jitter=getattr(task, "retry_jitter", True),
    )
    return min(float(settings.VENDOR_RETRY_AFTER_MAX), max(retry_after or 0.0, float(backoff)))


def retry_failed(
    task: JobTask,
    *,
    failed: Sequence[object],
    retry_after: float | None,
    kwargs: Mapping[str, object],
) -> None:
    """Run `task` again with `kwargs` (naming only the `failed` vendors or sources) after the
    backoff; when eager or out of retries, log and give up for this run."""
    if not failed:
        return
    if task.app.conf.task_always_eager or task.request.retries >= (task.max_retries or 0):
        log.warning("%s: giving up on %s for this run", task.name, ", ".join(map(str, failed)))
        return
    raise task.retry(kwargs=dict(kwargs), countdown=retry_countdown(task, retry_after))

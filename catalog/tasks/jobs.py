"""The vendor jobs as Celery tasks: thin wrappers that retry only what failed transiently.

A failing vendor never stops the others: the services record each vendor's errors on its
JobRun and report the vendors worth retrying; those alone are retried, with exponential
backoff plus jitter, never sooner than the vendor's (clamped) Retry-After.

Celery's `autoretry_for` would retry the whole task with its first arguments and cannot wait
for a Retry-After, so the tasks retry by hand; the backoff is still Celery's own
(`retry_backoff`, `retry_backoff_max`, `retry_jitter` on the task, computed by the function
Celery's autoretry uses). Every delay stays at most VENDOR_RETRY_AFTER_MAX, below the broker's
visibility timeout: a longer ETA makes Redis hand the delayed retry out again and again.
"""

import logging

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from catalog.services.availability import availability_check
from catalog.services.prices import prices_sync

log = logging.getLogger(__name__)


RETRY_OPTIONS = {
    "max_retries": 5,
    "retry_backoff": 2,  # s, doubled per retry: 2, 4, 8…
    "retry_backoff_max": settings.VENDOR_RETRY_AFTER_MAX,
    "retry_jitter": True,  # full jitter: workers retrying one vendor spread out
}


def retry_countdown(task: Task, retry_after: float | None) -> float:
    """Celery's jittered exponential backoff, at least the vendor's Retry-After, at most
    VENDOR_RETRY_AFTER_MAX."""
    backoff = get_exponential_backoff_interval(
        factor=task.retry_backoff,
        retries=task.request.retries,
        maximum=task.retry_backoff_max,
        full_jitter=task.retry_jitter,
    )
    return min(float(settings.VENDOR_RETRY_AFTER_MAX), max(retry_after or 0.0, float(backoff)))


def _retry_failed(task: Task, vendors: list[str], retry_after: float | None) -> None:
    if not vendors:
        return
    if task.app.conf.task_always_eager or task.request.retries >= task.max_retries:
        log.warning("%s: giving up on %s for this run", task.name, ", ".join(vendors))
        return
    raise task.retry(
        kwargs={"vendor_slugs": vendors},
        countdown=retry_countdown(task, retry_after),
    )


@shared_task(bind=True, **RETRY_OPTIONS)
def sync_prices(self: Task, vendor_slugs: list[str] | None = None) -> dict[str, int]:
    """Sync prices from every price source (or those of the named vendors)."""
    result = prices_sync(vendor_slugs=vendor_slugs)
    _retry_failed(self, result.retry_vendors, result.retry_after)
    return {"checked": result.checked, "changed": result.changed, "flagged": result.flagged}


@shared_task(bind=True, **RETRY_OPTIONS)
def check_availability(self: Task, vendor_slugs: list[str] | None = None) -> dict[str, int]:
    """Check availability of every active vendor's models (or the named vendors')."""
    result = availability_check(vendor_slugs=vendor_slugs)
    _retry_failed(self, result.retry_vendors, result.retry_after)
    return {"checked": result.checked, "changed": result.changed}

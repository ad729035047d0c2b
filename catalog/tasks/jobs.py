"""The vendor jobs as Celery tasks: thin wrappers that retry only what failed transiently.

A failing vendor never stops the others: the services record each vendor's errors on its
JobRun and report the vendors worth retrying; those alone are retried, with exponential
backoff plus jitter, never sooner than the vendor's Retry-After.
"""

import logging
import random

from celery import Task, shared_task

from catalog.services.availability import availability_check
from catalog.services.prices import prices_sync

log = logging.getLogger(__name__)
MAX_RETRIES = 5


def retry_countdown(retries: int, retry_after: float | None) -> float:
    """Backoff 1, 2, 4… s (capped at 5 min) with up to 100 % jitter, at least Retry-After."""
    backoff = min(300.0, 2.0**retries)
    return max(retry_after or 0.0, backoff + random.uniform(0, backoff))


def _retry_failed(task: Task, vendors: list[str], retry_after: float | None) -> None:
    if not vendors:
        return
    if task.app.conf.task_always_eager or task.request.retries >= task.max_retries:
        log.warning("%s: giving up on %s for this run", task.name, ", ".join(vendors))
        return
    raise task.retry(
        kwargs={"vendor_slugs": vendors},
        countdown=retry_countdown(task.request.retries, retry_after),
    )


@shared_task(bind=True, max_retries=MAX_RETRIES)
def sync_prices(self: Task, vendor_slugs: list[str] | None = None) -> dict[str, int]:
    """Sync prices from every price source (or those of the named vendors)."""
    result = prices_sync(vendor_slugs=vendor_slugs)
    _retry_failed(self, result.retry_vendors, result.retry_after)
    return {"checked": result.checked, "changed": result.changed, "flagged": result.flagged}


@shared_task(bind=True, max_retries=MAX_RETRIES)
def check_availability(self: Task, vendor_slugs: list[str] | None = None) -> dict[str, int]:
    """Check availability of every active vendor's models (or the named vendors')."""
    result = availability_check(vendor_slugs=vendor_slugs)
    _retry_failed(self, result.retry_vendors, result.retry_after)
    return {"checked": result.checked, "changed": result.changed}

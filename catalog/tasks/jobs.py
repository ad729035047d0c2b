"""The vendor jobs as Celery tasks: thin wrappers that retry only the vendors that failed
transiently (core.retries)."""

from celery import shared_task

from catalog.services.availability import availability_check
from catalog.services.prices import prices_sync
from core.retries import RETRY_OPTIONS, JobTask, retry_failed


@shared_task(bind=True, **RETRY_OPTIONS)
def sync_prices(self: JobTask, vendor_slugs: list[str] | None = None) -> dict[str, int]:
    """Sync prices from every price source (or those of the named vendors)."""
    result = prices_sync(vendor_slugs=vendor_slugs)
    failed = result.retry_vendors
    retry_failed(
        self, failed=failed, retry_after=result.retry_after, kwargs={"vendor_slugs": failed}
    )
    return {"checked": result.checked, "changed": result.changed, "flagged": result.flagged}


@shared_task(bind=True, **RETRY_OPTIONS)
def check_availability(self: JobTask, vendor_slugs: list[str] | None = None) -> dict[str, int]:
    """Check availability of every active vendor's models (or the named vendors')."""
    result = availability_check(vendor_slugs=vendor_slugs)
    failed = result.retry_vendors
    retry_failed(
        self, failed=failed, retry_after=result.retry_after, kwargs={"vendor_slugs": failed}
    )
    return {"checked": result.checked, "changed": result.changed}

"""Starting a vendor job now: one entry for the API and the status page's buttons."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from catalog.choices import JobKind
from catalog.models import Vendor
from catalog.tasks.jobs import check_availability, sync_prices

JOB_TASKS = {JobKind.SYNC_PRICES: sync_prices, JobKind.CHECK_AVAILABILITY: check_availability}


def vendor_job_enqueue(*, vendor: Vendor, kind: str, user: User) -> None:
    """Queue `kind` for this vendor once the caller's transaction commits, so the worker
    never misses what the request wrote; catalog admins only."""
    if not user.is_catalog_admin:
        raise PermissionDenied("Only catalog admins may start vendor jobs.")
    task = JOB_TASKS[JobKind(kind)]
    transaction.on_commit(lambda: task.delay(vendor_slugs=[vendor.slug]))

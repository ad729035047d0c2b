"""Starting a vendor job now: one entry for the API and the status page's buttons."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from catalog.models import Vendor
from core.choices import JobKind
from core.jobs import enqueue

JOB_TASKS = {
    JobKind.SYNC_PRICES: "catalog.tasks.jobs.sync_prices",
    JobKind.CHECK_AVAILABILITY: "catalog.tasks.jobs.check_availability",
}


def vendor_job_enqueue(*, vendor: Vendor, kind: str, user: User) -> None:
    """Queue `kind` for this vendor once the caller's transaction commits, so the worker
    never misses what the request wrote; catalog admins only."""
    if not user.is_catalog_admin:
        raise PermissionDenied("Only catalog admins may start vendor jobs.")
    task = JOB_TASKS[JobKind(kind)]
    transaction.on_commit(lambda: enqueue(task, vendor_slugs=[vendor.slug]))

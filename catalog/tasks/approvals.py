"""Daily upkeep of adoptions: expire lapsed approvals, warn unit managers 30 days ahead, and
announce models whose retirement date took them off an allow-list."""

from celery import shared_task
from django.db import OperationalError

from catalog.services.allowlist import allowlist_departures_notify
from catalog.services.approvals import adoptions_expire, adoptions_notify_expiring
from core.choices import JobKind
from core.jobs import job_run


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def expire_adoptions() -> int:
    """Run each step and leave a JobRun row (changed = expired, flagged = adoptions announced
    as expiring or off the allow-list).

    Every step is idempotent, so a redelivered or duplicated run changes nothing twice.
    """
    with job_run(JobKind.EXPIRE_ADOPTIONS) as run:
        run.changed = adoptions_expire()
        run.flagged = adoptions_notify_expiring() + allowlist_departures_notify()
    return run.changed

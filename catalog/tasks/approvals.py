"""Daily upkeep of adoptions: expire lapsed approvals, warn unit managers 30 days ahead, and
announce models whose retirement date took them off an allow-list."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from catalog.choices import JobKind
from catalog.models import JobRun
from catalog.services.allowlist import allowlist_departures_notify
from catalog.services.approvals import adoptions_expire, adoptions_notify_expiring

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def expire_adoptions() -> int:
    """Run each step and leave a JobRun row (changed = expired, flagged = adoptions announced
    as expiring or off the allow-list).

    Every step is idempotent, so a redelivered or duplicated run changes nothing twice.
    """
    run = JobRun.objects.create(kind=JobKind.EXPIRE_ADOPTIONS, started_at=timezone.now())
    try:
        run.changed = adoptions_expire()
        run.flagged = adoptions_notify_expiring() + allowlist_departures_notify()
    except Exception as exc:
        log.exception("expire_adoptions failed")
        run.errors = [f"{type(exc).__name__}: {exc}"]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
    return run.changed

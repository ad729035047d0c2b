"""The daily end-of-life notices (delivery itself is core.tasks')."""

from celery import shared_task
from django.db import OperationalError

from catalog.services.notices import models_notify_lifecycle
from core.choices import JobKind
from core.jobs import job_run


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def notify_lifecycle() -> int:
    """Warn unit managers of deprecations and retirements 90, 30 and 7 days ahead; leave a
    JobRun row (checked = dates looked at, changed = notices sent). Reruns send nothing twice."""
    with job_run(JobKind.NOTIFY_LIFECYCLE) as run:
        run.checked, run.changed = models_notify_lifecycle()
    return run.changed

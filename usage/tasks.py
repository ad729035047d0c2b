"""The usage job as a Celery task: thin, retrying only the sources that failed transiently,
with the vendor jobs' backoff (Celery's own, clamped below the visibility timeout)."""

import logging
from datetime import date

from celery import Task, shared_task

from catalog.tasks.jobs import RETRY_OPTIONS, retry_countdown
from usage.services.ingest import usage_ingest

log = logging.getLogger(__name__)


@shared_task(bind=True, **RETRY_OPTIONS)
def ingest_usage(
    self: Task, source_ids: list[int] | None = None, since: str | None = None
) -> dict[str, int]:
    """Ingest the last USAGE_LOOKBACK_DAYS (or from `since`, ISO date) of every active source."""
    result = usage_ingest(source_ids=source_ids, since=date.fromisoformat(since) if since else None)
    failed = [int(pk) for pk in result.retry_vendors]
    if failed and (self.app.conf.task_always_eager or self.request.retries >= self.max_retries):
        log.warning("%s: giving up on sources %s for this run", self.name, failed)
    elif failed:
        raise self.retry(
            kwargs={"source_ids": failed, "since": since},
            countdown=retry_countdown(self, result.retry_after),
        )
    return {"checked": result.checked, "changed": result.changed, "flagged": result.flagged}

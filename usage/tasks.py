"""The usage job as a Celery task: thin, retrying only the sources that failed transiently."""

from datetime import date

from celery import Task, shared_task

from catalog.tasks.jobs import MAX_RETRIES, retry_countdown
from usage.services.ingest import usage_ingest


@shared_task(bind=True, max_retries=MAX_RETRIES)
def ingest_usage(
    self: Task, source_ids: list[int] | None = None, since: str | None = None
) -> dict[str, int]:
    """Ingest the last USAGE_LOOKBACK_DAYS (or from `since`, ISO date) of every active source."""
    result = usage_ingest(source_ids=source_ids, since=date.fromisoformat(since) if since else None)
    failed = [int(pk) for pk in result.retry_vendors]
    if failed and not self.app.conf.task_always_eager and self.request.retries < self.max_retries:
        raise self.retry(
            kwargs={"source_ids": failed, "since": since},
            countdown=retry_countdown(self.request.retries, result.retry_after),
        )
    return {"checked": result.checked, "changed": result.changed, "flagged": result.flagged}

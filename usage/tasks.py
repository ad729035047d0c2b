"""The usage job as a Celery task: thin, retrying only the sources that failed transiently,
with the vendor jobs' backoff (core.retries)."""

from datetime import date

from celery import shared_task

from core.retries import RETRY_OPTIONS, JobTask, retry_failed
from usage.services.ingest import usage_ingest


@shared_task(bind=True, **RETRY_OPTIONS)
def ingest_usage(
    self: JobTask, source_ids: list[int] | None = None, since: str | None = None
) -> dict[str, int]:
    """Ingest the last USAGE_LOOKBACK_DAYS (or from `since`, ISO date) of every active source."""
    result = usage_ingest(source_ids=source_ids, since=date.fromisoformat(since) if since else None)
    failed = [int(pk) for pk in result.retry_vendors]
    retry_failed(
        self,
        failed=failed,
        retry_after=result.retry_after,
        kwargs={"source_ids": failed, "since": since},
    )
    return {"checked": result.checked, "changed": result.changed, "flagged": result.flagged}

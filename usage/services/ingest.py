"""The `ingest_usage` job: each active source's last days, re-read so late data lands.

Each source gets a JobRun (kind ingest_usage; its name in every error). A source that cannot be
reached records the error and the others go on; a bad item is a recorded problem and the rest
of the answer is written. Accounts are fetched in chunks so memory stays flat at any volume.
"""

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from core.choices import JobKind
from core.http import VendorError, outbound_client
from core.jobs import JobResult, job_runs_close_interrupted
from core.models import JobRun
from usage.choices import SourceKind
from usage.connectors import CONNECTORS
from usage.connectors.base import Fetched
from usage.models import UsageAccount, UsageSource
from usage.services.findings import findings_check
from usage.services.matching import ModelMatcher
from usage.services.records import records_write

log = logging.getLogger(__name__)
ACCOUNTS_PER_CALL = 50
MAX_BACKFILL_DAYS = 400  # a year back and some: what any vendor's usage API still answers
MAX_PROBLEMS_KEPT = 200  # per run: enough to act on, not a megabyte of JSON


def since_problem(since: date) -> str:
    """Why a first day to read cannot be used ('' when it can): each day is calls to every
    source, so a typo like 1900-01-01 (46,000 days) must not reach them."""
    today = timezone.now().date()
    if since > today:
        return "must not be in the future"
    if since < today - timedelta(days=MAX_BACKFILL_DAYS):
        return f"must be at most {MAX_BACKFILL_DAYS} days back"
    return ""


def ingest_window(since: date | None = None) -> tuple[date, date]:
    """From `since` (default today − USAGE_LOOKBACK_DAYS, read at call time) through today."""
    today = timezone.now().date()
    start = since or today - timedelta(days=settings.USAGE_LOOKBACK_DAYS)
    return min(start, today), today


def usage_ingest(
    *,
    source_ids: Sequence[int] | None = None,
    since: date | None = None,
    track: Callable[[int], object] | None = None,
) -> JobResult:
    """Ingest every active API source (or the given ones) for the window, then check findings
    for the units and months it touched. Never raises for a source's failure."""
    job_runs_close_interrupted(kind=JobKind.INGEST_USAGE)
    start, end = ingest_window(since)
    sources = UsageSource.objects.filter(active=True).exclude(kind=SourceKind.FILE)
    if source_ids is not None:
        sources = sources.filter(pk__in=source_ids)
    result = JobResult()
    touched: set[tuple[int, date]] = set()
    timeout = httpx.Timeout(settings.VENDOR_TIMEOUT_SECONDS)
    with outbound_client(timeout=timeout) as client:
        for source in sources.order_by("name"):
            run = JobRun.objects.create(kind=JobKind.INGEST_USAGE, started_at=timezone.now())
            result.runs.append(run)
            try:
                touched |= _ingest_source(client, source, run, start, end, result, track)
            except Exception as exc:  # a bug on odd input must not leave the run open or
                # keep the next sources from being read: this source's failure is its own
                log.exception("ingesting usage source %s", source.name)
                run.errors.append(
                    {"source": source.name, "error": repr(exc)[:500], "permanent": True}
                )
            finally:
                run.finished_at = timezone.now()
                run.save(update_fields=["finished_at", "checked", "changed", "flagged", "errors"])
    findings_check(unit_months=touched)
    return result


def _ingest_source(
    client: httpx.Client,
    source: UsageSource,
    run: JobRun,
    start: date,
    end: date,
    result: JobResult,
    track: Callable[[int], object] | None,
) -> set[tuple[int, date]]:
    """Fetch and write one source's window, a chunk of accounts at a time, counting into its
    run. Returns the (unit, month) pairs it touched."""
    touched: set[tuple[int, date]] = set()
    connector = CONNECTORS[source.kind](
        client, base_url=source.base_url, api_key_env=source.key_env
    )
    accounts = {a.external_id: a for a in source.accounts.select_related("unit")}
    matcher = ModelMatcher(source.kind, unit_ids={a.unit_id for a in accounts.values()})
    ids = sorted(accounts)
    chunks = [
        {i: accounts[i] for i in ids[at : at + ACCOUNTS_PER_CALL]}
        for at in range(0, len(ids), ACCOUNTS_PER_CALL)
    ]

    def read(chunk: dict[str, UsageAccount]) -> Fetched:
        return connector.fetch(accounts=list(chunk), since=start, until=end)

    # The next chunk is read while this one is written: the source answers (and its answer is
    # parsed) while PostgreSQL writes. The connectors touch no database, only their client.
    with ThreadPoolExecutor(max_workers=1) as reader:
        ahead = reader.submit(read, chunks[0]) if chunks else None
        for n, chunk in enumerate(chunks):
            assert ahead is not None
            try:
                fetched = ahead.result()
            except VendorError as exc:
                run.errors.append(exc.as_record(source=source.name))
                if not exc.permanent:
                    result.retry_vendors.append(str(source.pk))
                    result.retry_after = max(result.retry_after or 0, exc.retry_after or 0)
                break
            ahead = reader.submit(read, chunks[n + 1]) if n + 1 < len(chunks) else None
            touched |= _write(source, run, chunk, fetched, start, end, matcher)
            if track:
                track(len(chunk))
    return touched


def _write(
    source: UsageSource,
    run: JobRun,
    chunk: dict[str, UsageAccount],
    fetched: Fetched,
    start: date,
    end: date,
    matcher: ModelMatcher,
) -> set[tuple[int, date]]:
    """Write one chunk's answer, counting into the run; returns the (unit, month) it touched."""
    written = records_write(
        source=source,
        accounts=chunk,
        rows=fetched.rows,
        costs=fetched.costs,
        since=start,
        until=end,
        matcher=matcher,
        doubtful=fetched.doubtful,
    )
    run.checked += written.checked
    run.changed += written.changed
    problems = [{"source": source.name, **p} for p in fetched.problems + written.problems]
    run.flagged += len(problems)
    run.errors.extend(problems[: max(0, MAX_PROBLEMS_KEPT - len(run.errors))])
    return written.touched


def accounts_count(source_ids: Sequence[int] | None = None) -> int:
    """How many accounts a run will fetch (the progress bar's total)."""
    accounts = UsageAccount.objects.filter(source__active=True).exclude(
        source__kind=SourceKind.FILE
    )
    if source_ids is not None:
        accounts = accounts.filter(source_id__in=source_ids)
    return accounts.count()

"""Keep availability true: ask each vendor which models it serves, concurrently and with
timeouts, and record a row per state change (the model keeps its latest check time/latency).

Status rules (DESIGN.md): up = listed and answered in time; degraded = slow, or the status page
says degraded/partial outage; down = not listed, errors, timeouts, major outage; not_monitored =
the vendor has neither a model list nor a status page; unknown = not checked yet. A 429 gives
no verdict (the state stands) and the task retries later. Vendor answers are untrusted: items
the adapters cannot read are listed as the run's errors, and no answer stops the job.
"""

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.choices import ApiKind, AvailabilityStatus, ModelStatus
from catalog.models import AIModel, AvailabilityCheck, Vendor
from catalog.services.bulk import bulk_set
from catalog.services.notices import ModelEvent, model_events_notify
from catalog.vendors.anthropic import AnthropicAdapter
from catalog.vendors.base import ModelList
from catalog.vendors.openai import OpenAIAdapter
from catalog.vendors.openrouter import OpenRouterAdapter
from catalog.vendors.statuspage import StatuspageAdapter, worst
from core.choices import JobKind
from core.http import VendorError, outbound_client
from core.jobs import JobResult, job_runs_close_interrupted, problem_records
from core.models import JobRun

log = logging.getLogger(__name__)
UP, DEGRADED, DOWN, NOT_MONITORED = (
    AvailabilityStatus.UP,
    AvailabilityStatus.DEGRADED,
    AvailabilityStatus.DOWN,
    AvailabilityStatus.NOT_MONITORED,
)
UNCHECKED = {AvailabilityStatus.UNKNOWN, NOT_MONITORED}
LISTS: dict[str, type[OpenAIAdapter | AnthropicAdapter | OpenRouterAdapter]] = {
    ApiKind.OPENAI: OpenAIAdapter,
    ApiKind.ANTHROPIC: AnthropicAdapter,
    ApiKind.OPENROUTER: OpenRouterAdapter,
}
MODEL_FIELDS = ["availability_status", "availability_checked_at", "latency_ms"]
BATCH = 500


@dataclass(frozen=True)
class Probe:
    """One model's verdict from one check."""

    status: str
    latency_ms: int | None = None
    http_status: int | None = None
    detail: str = ""


@dataclass
class VendorVerdict:
    probes: dict[int, Probe] = field(default_factory=dict)  # model pk → verdict; absent = none
    errors: list[dict[str, object]] = field(default_factory=list)
    retry_after: float | None = None
    rate_limited: bool = False


@dataclass
class CheckResult(JobResult):
    """What an availability check did, summed over its vendors."""

    def __str__(self) -> str:
        return (
            f"{len(self.runs)} vendor(s): checked {self.checked}, changed {self.changed}, "
            f"errors {len(self.errors)}"
        )


def _configured(vendor: Vendor) -> bool:
    return bool(vendor.status_page_url or (vendor.api_kind != ApiKind.NONE and vendor.api_base_url))


def _unexpected(exc: Exception, what: str) -> VendorError:
    """An adapter bug on odd input is recorded like a malformed answer, never raised."""
    log.exception("reading %s", what)
    return VendorError(f"could not read the {what}: {type(exc).__name__}", permanent=True)


def _failure(exc: VendorError) -> Probe:
    return Probe(DOWN, exc.latency_ms, exc.http_status, str(exc)[:500])


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _check_vendor(
    client: httpx.Client, vendor: Vendor, models: list[AIModel], deadline: float
) -> VendorVerdict:
    """One list call (plus the status page) decides every model; OpenRouter adds one endpoint
    call per listed model, at most AVAILABILITY_CONCURRENCY at once. Whatever is unanswered at
    the vendor's deadline is down."""
    verdict = VendorVerdict()

    def record(exc: VendorError, what: str) -> None:
        verdict.errors.append(exc.as_record(vendor=vendor.slug, call=what))
        if exc.rate_limited:
            verdict.rate_limited = True
            verdict.retry_after = max(verdict.retry_after or 0, exc.retry_after or 0)

    def page() -> tuple[str, str] | None:
        if not vendor.status_page_url:
            return None
        try:
            return StatuspageAdapter(client, base_url=vendor.status_page_url).vendor_status()
        except VendorError as exc:
            record(exc, "status page")
        except Exception as exc:
            record(_unexpected(exc, "status page"), "status page")
        return None

    adapter_class = LISTS.get(vendor.api_kind)
    adapter = (
        adapter_class(client, base_url=vendor.api_base_url, api_key_env=vendor.api_key_env)
        if adapter_class and vendor.api_base_url
        else None
    )

    def listed() -> ModelList | VendorError | None:
        if adapter is None:
            return None
        try:
            answer = adapter.list_model_ids()
        except VendorError as exc:
            record(exc, "model list")
            return exc
        except Exception as exc:
            record(failure := _unexpected(exc, "model list"), "model list")
            return failure
        verdict.errors += problem_records(answer.problems, vendor=vendor.slug, call="model list")
        return answer

    def timed_out(pending: list[AIModel]) -> VendorVerdict:
        detail = f"vendor check timed out after {settings.AVAILABILITY_VENDOR_TIMEOUT_SECONDS} s"
        verdict.probes.update({m.pk: Probe(DOWN, detail=detail) for m in pending})
        verdict.errors.append({"vendor": vendor.slug, "error": detail, "permanent": False})
        return verdict

    pool = ThreadPoolExecutor(max_workers=settings.AVAILABILITY_CONCURRENCY)
    try:
        page_call, list_call = pool.submit(page), pool.submit(listed)
        first: list[Future[Any]] = [page_call, list_call]
        done, _ = wait(first, timeout=_left(deadline))
        if list_call not in done:
            return timed_out(models)
        page_result = page_call.result() if page_call in done else None
        list_result = list_call.result()
        page_status, page_detail = page_result or (UP, "")
        if isinstance(list_result, VendorError):
            if not list_result.rate_limited:
                verdict.probes = {m.pk: _failure(list_result) for m in models}
            elif page_status == DOWN:
                verdict.probes = {m.pk: Probe(DOWN, detail=page_detail) for m in models}
            return verdict
        if list_result is None:  # status page only
            if page_result is not None:
                verdict.probes = {m.pk: Probe(page_status, detail=page_detail) for m in models}
            return verdict

        ids, list_ms, _ = list_result
        slow_ms = settings.AVAILABILITY_SLOW_MS

        def probe(model: AIModel) -> Probe | None:
            if model.vendor_model_id not in ids:
                return Probe(DOWN, list_ms, detail="not listed by the vendor")
            if isinstance(adapter, OpenRouterAdapter):
                what = f"endpoints of {model.vendor_model_id}"
                try:
                    health = adapter.endpoint_health(model.vendor_model_id)
                except VendorError as exc:
                    record(exc, what)
                    return None if exc.rate_limited else _failure(exc)
                except Exception as exc:
                    record(failure := _unexpected(exc, what), what)
                    return _failure(failure)
                status, latency, detail = health.status, health.latency_ms, health.detail
            else:
                status, latency, detail = UP, list_ms, "listed"
            if status == UP and latency > slow_ms:
                status, detail = DEGRADED, f"slow: {latency} ms"
            if page_result is not None and worst(status, page_status) != status:
                status, detail = worst(status, page_status), f"status page: {page_detail}"
            return Probe(status, latency, 200, detail)

        calls = {pool.submit(probe, m): m for m in models}
        done, pending = wait(calls, timeout=_left(deadline))
        for call in done:
            if (result := call.result()) is not None:
                verdict.probes[calls[call].pk] = result
        return timed_out([calls[c] for c in pending]) if pending else verdict
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _check_all(plans: Sequence[tuple[Vendor, list[AIModel]]]) -> list[VendorVerdict]:
    """Vendors concurrently, each within its own deadline, on one shared connection pool."""
    timeout = httpx.Timeout(settings.VENDOR_TIMEOUT_SECONDS)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    deadline = time.monotonic() + settings.AVAILABILITY_VENDOR_TIMEOUT_SECONDS
    with (
        outbound_client(timeout=timeout, limits=limits) as client,
        ThreadPoolExecutor(max_workers=min(16, len(plans))) as vendors,
    ):
        return list(
            vendors.map(lambda plan: _guarded_check(client, plan[0], plan[1], deadline), plans)
        )


def _guarded_check(
    client: httpx.Client, vendor: Vendor, models: list[AIModel], deadline: float
) -> VendorVerdict:
    """One vendor's check; a bug there gives that vendor no verdict and an error, and the
    other vendors' verdicts still count."""
    try:
        return _check_vendor(client, vendor, models, deadline)
    except Exception as exc:
        failure = _unexpected(exc, f"answers of {vendor.slug}")
        return VendorVerdict(errors=[failure.as_record(vendor=vendor.slug)])


def availability_check(
    *,
    vendor_slugs: Sequence[str] | None = None,
    track: Callable[[int], object] | None = None,
) -> CheckResult:
    """Check every active vendor (or the named ones); one JobRun per checked vendor."""
    vendors = Vendor.objects.filter(is_active=True).order_by("slug")
    if vendor_slugs is not None:
        vendors = vendors.filter(slug__in=vendor_slugs)
    vendors_list = list(vendors)
    configured = [v for v in vendors_list if _configured(v)]
    checked_models = AIModel.objects.exclude(status=ModelStatus.RETIRED).only(
        "pk", "vendor", "vendor_model_id"
    )
    by_vendor: dict[int, list[AIModel]] = {v.pk: [] for v in configured}
    for model in checked_models.filter(vendor__in=configured):
        by_vendor[model.vendor_id].append(model)
    plans = [(v, by_vendor[v.pk]) for v in configured]
    job_runs_close_interrupted(kind=JobKind.CHECK_AVAILABILITY)
    now = timezone.now()
    result = CheckResult(
        runs=JobRun.objects.bulk_create(
            [JobRun(kind=JobKind.CHECK_AVAILABILITY, vendor=v, started_at=now) for v, _ in plans]
        )
    )
    verdicts = _check_all(plans) if plans else []
    # Models whose vendor has nothing to ask are not monitored; only a change is written.
    unmonitored = AIModel.objects.filter(
        vendor__in=[v for v in vendors_list if not _configured(v)]
    ).exclude(availability_status=NOT_MONITORED)
    detail = "the vendor has neither a model list nor a status page"
    _write({m.pk: Probe(NOT_MONITORED, detail=detail) for m in unmonitored.only("pk")}, now)
    for (vendor, models), run, verdict in zip(plans, result.runs, verdicts, strict=True):
        run.checked = len(verdict.probes)
        run.errors = verdict.errors
        try:
            run.changed = _write(verdict.probes, now)
        except Exception as exc:  # a bug must not leave the other vendors' runs open
            log.exception("writing availability of %s", vendor.slug)
            run.errors.append({"vendor": vendor.slug, "error": repr(exc)[:500], "permanent": True})
        run.finished_at = timezone.now()
        if verdict.rate_limited:
            result.retry_vendors.append(vendor.slug)
            result.retry_after = max(result.retry_after or 0, verdict.retry_after or 0)
        if track:
            track(len(models))
    JobRun.objects.bulk_update(result.runs, ["checked", "changed", "errors", "finished_at"])
    return result


def _write(probes: dict[int, Probe], now: datetime) -> int:
    """Apply verdicts in batches; each re-reads its rows under lock so a duplicated run records
    a state change once. Returns the number of state changes."""
    changes = 0
    pks = list(probes)
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            models = list(
                AIModel.objects.select_for_update()
                .filter(pk__in=pks[start : start + BATCH])
                .only(
                    "pk",
                    "name",
                    "price_unit",
                    "input_price_per_mtok",
                    "output_price_per_mtok",
                    *MODEL_FIELDS,
                )
            )
            rows, events = [], []
            for model in models:
                probe = probes[model.pk]
                before = model.availability_status
                if probe.status != before:
                    rows.append(
                        AvailabilityCheck(
                            model=model,
                            checked_at=now,
                            status=probe.status,
                            latency_ms=probe.latency_ms,
                            http_status=probe.http_status,
                            detail=probe.detail,
                        )
                    )
                    if probe.status == DOWN:
                        events.append(ModelEvent(model, "down", f"down: {probe.detail}"))
                    elif before == DOWN and probe.status in (UP, DEGRADED):
                        events.append(ModelEvent(model, "up", f"{probe.status} again"))
                model.availability_status = probe.status
                model.availability_checked_at = None if probe.status in UNCHECKED else now
                model.latency_ms = probe.latency_ms
            bulk_set(
                AIModel,
                MODEL_FIELDS,
                [(m.pk, *(getattr(m, f) for f in MODEL_FIELDS)) for m in models],
            )
            AvailabilityCheck.objects.bulk_create(rows)
            model_events_notify(events=events)
            changes += len(rows)
    return changes

"""Keep prices true: one fetch per price source, matched by `price_source_key`, written in bulk.

Idempotent: a model is written only when the source's price differs from the stored one, and
each batch re-reads its rows under a lock before writing, so a redelivered or duplicated run (or
one resumed after a worker died mid-way) writes every change exactly once. Junk is flagged
(PriceFlag) and never applied: unreadable values, prices above PRICE_MAX_PER_MTOK (in the
model's own unit), a drop from a known price to 0, and jumps over 10×. No source's answer can
stop the others: each run ends with `finished_at` set and its errors listed.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from catalog.choices import PriceFlagStatus, PriceSource
from catalog.counts import catalog_changed
from catalog.models import Adoption, AIModel, PriceFlag, PriceObservation, Vendor
from catalog.models.costs import COMPONENT_FIELDS, PriceComponents
from catalog.services.bulk import bulk_set
from catalog.services.notices import ModelEvent, model_events_notify
from catalog.vendors.base import PriceList, PriceQuote
from catalog.vendors.litellm_source import LiteLLMCostMapAdapter
from catalog.vendors.openrouter import OpenRouterAdapter
from core.choices import JobKind
from core.errors import Conflict
from core.http import VendorError, outbound_client
from core.jobs import JobResult, job_runs_close_interrupted, problem_records
from core.models import JobRun

log = logging.getLogger(__name__)
JUMP = Decimal(10)
PRICE_FIELDS = list(COMPONENT_FIELDS.values())
ADAPTERS: dict[str, type[LiteLLMCostMapAdapter | OpenRouterAdapter]] = {
    PriceSource.LITELLM: LiteLLMCostMapAdapter,
    PriceSource.OPENROUTER: OpenRouterAdapter,
}
Source = tuple[str, str]  # (price_source, price_source_url)
# Every price component a sync ledgers, each judged on its own (a drop to 0, a jump over 10×),
# named as a flag's reason says it; the long-context threshold is a token count, not a price.
JUDGED = {
    "input": "input",
    "output": "output",
    "cache_read": "cache read",
    "cache_write": "cache write",
    "long_context_input": "long-context input",
    "long_context_output": "long-context output",
}


@dataclass
class SyncResult(JobResult):
    """What a sync did, summed over its sources."""

    def __str__(self) -> str:
        return (
            f"{len(self.runs)} source(s): checked {self.checked}, changed {self.changed}, "
            f"flagged {self.flagged}, errors {len(self.errors)}"
        )


class Current(NamedTuple):
    """A model's stored price, read as plain values (thousands per run: no model instances)."""

    pk: int
    key: str
    name: str
    prices: PriceComponents
    deprecation: date | None

    @property
    def input(self) -> Decimal | None:
        return self.prices.input

    @property
    def output(self) -> Decimal | None:
        return self.prices.output

    @property
    def unit(self) -> str:
        return self.prices.unit


# What a batch re-reads under lock: the fields a concurrent writer could have changed.
LOCKED_FIELDS = ("pk", "deprecation_date", *PRICE_FIELDS)
CURRENT_FIELDS = ("price_source_key", "name", *LOCKED_FIELDS)


def _current(row: dict[str, Any], key: str, name: str) -> Current:
    return Current(row["pk"], key, name, PriceComponents.from_row(row), row["deprecation_date"])


def _judge(quote: PriceQuote, offered: PriceComponents, current: Current) -> str:
    """'' when the quote (its components `offered`) can be applied (or changes nothing), else
    why it is junk."""
    if quote.problem:
        return quote.problem
    if quote.input_price is None and quote.output_price is None:
        priced = current.input is not None or current.output is not None
        return "missing price fields" if priced else ""
    limit = settings.PRICE_MAX_PER_MTOK
    for price in offered.prices():
        if price > limit:
            return f"above PRICE_MAX_PER_MTOK ({limit}): {price.normalize():f}"
    stored = current.prices
    if offered == stored:  # nothing dropped or jumped
        return ""
    pairs = [(name, getattr(offered, name), getattr(stored, name)) for name in JUDGED]
    for name, new, old in pairs:
        if new == 0 and old:
            return f"drop to 0 from {old.normalize():f} ({JUDGED[name]})"
    if quote.price_unit == current.unit:
        for name, new, old in pairs:
            if new and old and (new > old * JUMP or new * JUMP < old):
                return f"jump over 10×: {old.normalize()} → {new.normalize()} ({JUDGED[name]})"
    return ""


def _price_differs(offered: PriceComponents, current: Current) -> bool:
    return offered.priced and offered != current.prices


def _new_deprecation(quote: PriceQuote, current: Current) -> bool:
    return quote.deprecation_date is not None and quote.deprecation_date != current.deprecation


def _needs_write(quote: PriceQuote, offered: PriceComponents, current: Current) -> bool:
    return (
        bool(_judge(quote, offered, current))
        or _price_differs(offered, current)
        or _new_deprecation(quote, current)
    )


def _fetch(client: httpx.Client, source: Source) -> PriceList | VendorError:
    kind, url = source
    try:
        return ADAPTERS[kind](client, base_url=url).price_quotes()
    except VendorError as exc:
        return exc
    except Exception as exc:  # an adapter bug on odd input must not stop the other sources
        log.exception("reading price source %s", url)
        return VendorError(f"could not read {url}: {type(exc).__name__}", permanent=True)


@contextmanager
def _fetching(
    sources: Sequence[Source],
) -> Iterator[list[Future[PriceList | VendorError]]]:
    """One GET per source, all at once in the background: a source is applied while the
    next ones are still answering."""
    timeout = httpx.Timeout(settings.VENDOR_TIMEOUT_SECONDS)
    with (
        outbound_client(timeout=timeout) as client,
        ThreadPoolExecutor(max_workers=max(1, min(8, len(sources)))) as pool,
    ):
        yield [pool.submit(_fetch, client, source) for source in sources]


def prices_sync(
    *,
    vendor_slugs: Sequence[str] | None = None,
    batch_size: int | None = None,
    track: Callable[[int], object] | None = None,
) -> SyncResult:
    """Sync every active vendor with a price source (or the named ones); never raises for a
    vendor's failure: each source's run records its own errors and the others go on."""
    vendors = Vendor.objects.filter(is_active=True, price_source__in=list(ADAPTERS)).exclude(
        price_source_url=""
    )
    if vendor_slugs is not None:
        vendors = vendors.filter(slug__in=vendor_slugs)
    grouped: dict[Source, list[Vendor]] = defaultdict(list)
    for vendor in vendors.order_by("slug"):
        grouped[(vendor.price_source, vendor.price_source_url)].append(vendor)
    sources = list(grouped)
    job_runs_close_interrupted(kind=JobKind.SYNC_PRICES)
    started = timezone.now()
    result = SyncResult(
        runs=JobRun.objects.bulk_create(
            [
                JobRun(
                    kind=JobKind.SYNC_PRICES,
                    vendor=grouped[s][0] if len(grouped[s]) == 1 else None,
                    started_at=started,
                )
                for s in sources
            ]
        )
    )
    with _fetching(sources) as fetches:
        for source, run, fetch in zip(sources, result.runs, fetches, strict=True):
            slugs = [v.slug for v in grouped[source]]
            answer = fetch.result()
            try:
                if isinstance(answer, VendorError):
                    run.errors = [answer.as_record(source=source[1], vendors=slugs)]
                    if not answer.permanent:
                        result.retry_vendors += slugs
                        result.retry_after = max(result.retry_after or 0, answer.retry_after or 0)
                else:
                    run.errors = problem_records(answer.problems, source=source[1])
                    _apply(run, source[0], grouped[source], answer.quotes, batch_size, track)
            except Exception as exc:  # a bug must not leave the run open or stop the others
                log.exception("applying price source %s", source[1])
                run.errors.append(
                    {"source": source[1], "error": repr(exc)[:500], "permanent": True}
                )
            finally:
                run.finished_at = timezone.now()
                run.save(update_fields=["finished_at", "checked", "changed", "flagged", "errors"])
    return result


def _apply(
    run: JobRun,
    source: str,
    vendors: list[Vendor],
    quotes: dict[str, PriceQuote],
    batch_size: int | None,
    track: Callable[[int], object] | None,
) -> None:
    size = batch_size or settings.PRICE_SYNC_BATCH_SIZE
    rows = AIModel.objects.filter(vendor__in=vendors).values(*CURRENT_FIELDS)
    matched: list[int] = []
    pending: list[Current] = []
    for row in rows:
        current = _current(row, row["price_source_key"], row["name"])
        quote = quotes.get(current.key)
        if quote is None:
            continue
        matched.append(current.pk)
        if _needs_write(quote, quote.components, current):
            pending.append(current)
    run.checked = len(matched)
    now = timezone.now()
    # Only news for units that use the model: looked up once, not once per batch.
    adopted = set(
        Adoption.objects.in_force()
        .filter(model__vendor__in=vendors)
        .values_list("model_id", flat=True)
    )
    for start in range(0, len(pending), size):
        batch = pending[start : start + size]
        changed, flagged = _write_batch(run, source, batch, quotes, now, adopted)
        run.changed += changed
        run.flagged += flagged
        if track:
            track(len(batch))
    # Changed prices carry their check time already; the rest were checked and found equal.
    unchanged = sorted(set(matched) - {current.pk for current in pending})
    for start in range(0, len(unchanged), 10_000):
        AIModel.objects.filter(pk__in=unchanged[start : start + 10_000]).update(
            price_checked_at=now
        )
    if unchanged:
        catalog_changed()  # the list shows when each price was checked


@transaction.atomic
def _write_batch(
    run: JobRun,
    source: str,
    batch: list[Current],
    quotes: dict[str, PriceQuote],
    now: datetime,
    adopted: set[int],
) -> tuple[int, int]:
    """Re-read the batch's prices under lock and write what still differs: safe against a
    concurrent or earlier run of the same sync. Returns (changed, flagged)."""
    scanned = {current.pk: current for current in batch}
    locked = AIModel.objects.select_for_update().filter(pk__in=scanned).values(*LOCKED_FIELDS)
    prices: list[tuple[object, ...]] = []
    deprecations: list[tuple[object, ...]] = []
    observations: list[PriceObservation] = []
    flags: list[PriceFlag] = []
    changes: list[tuple[Current, PriceQuote, bool, bool]] = []
    for row in locked:
        current = _current(row, scanned[row["pk"]].key, scanned[row["pk"]].name)
        quote = quotes[current.key]
        offered = quote.components  # built once: a NamedTuple's property is not cached
        if reason := _judge(quote, offered, current):
            flags.append(_flag(run, source, current, quote, reason, now))
            continue
        price_changed = _price_differs(offered, current)
        deprecated = _new_deprecation(quote, current)
        if price_changed:
            prices.append((current.pk, *offered.as_fields().values()))
            observations.append(
                PriceObservation.entry(
                    model_id=current.pk, prices=offered, observed_at=now, source=source
                )
            )
        if deprecated:
            deprecations.append((current.pk, quote.deprecation_date))
        if price_changed or deprecated:
            changes.append((current, quote, price_changed, deprecated))
    bulk_set(AIModel, PRICE_FIELDS, prices, same={"price_checked_at": now})
    bulk_set(AIModel, ["deprecation_date"], deprecations)
    PriceObservation.objects.bulk_create(observations)
    flags = _new_flags(flags)
    PriceFlag.objects.bulk_create(flags, ignore_conflicts=True)
    model_events_notify(events=_events(changes, adopted))
    return len(changes), len(flags)


def _new_flags(flags: list[PriceFlag]) -> list[PriceFlag]:
    """The flags whose value is not already open or dismissed for their model: only those are
    written and counted. The models' rows are locked, so no concurrent sync adds one between."""
    if not flags:
        return []
    known = set(
        PriceFlag.objects.filter(
            model_id__in=[f.model_id for f in flags],
            status__in=[PriceFlagStatus.OPEN, PriceFlagStatus.DISMISSED],
        ).values_list("model_id", "value")
    )
    return [f for f in flags if (f.model_id, f.value) not in known]


def _events(
    changes: list[tuple[Current, PriceQuote, bool, bool]], adopted: set[int]
) -> list[ModelEvent]:
    """Events for the changed models some unit actively uses: only those are news."""
    events = []
    for current, quote, price_changed, deprecated in changes:
        if current.pk not in adopted:
            continue
        prices = quote.components if price_changed else current.prices
        model = AIModel(pk=current.pk, name=current.name, **prices.as_fields())
        if price_changed:
            text = price_change_text(current.input, current.output, model)
            events.append(ModelEvent(model, "price", text, current.input, current.output))
        if deprecated:
            events.append(
                ModelEvent(model, "deprecation", f"deprecated on {quote.deprecation_date}")
            )
    return events


def _flag(
    run: JobRun, source: str, current: Current, quote: PriceQuote, reason: str, now: datetime
) -> PriceFlag:
    return PriceFlag(
        job_run=run,
        model_id=current.pk,
        reason=reason[:200],
        source=source,
        raw_input=quote.raw_input,
        raw_output=quote.raw_output,
        value=flag_value(quote),
        created_at=now,
        **quote.components.as_fields(),
    )


def flag_value(quote: PriceQuote) -> str:
    """What tells flags of one model apart: the offered value in the model's own unit (per
    1M tokens, per query, per image…), with each known component beyond input and output, or
    for an unreadable one the source's words."""
    if quote.input_price is None and quote.output_price is None:
        return f"{quote.problem or 'no price'} | {quote.raw_input} | {quote.raw_output}"[:250]

    def show(value: Decimal | None) -> str:
        return "-" if value is None else f"{value.normalize():f}"

    offered = quote.components
    parts = [f"{show(offered.input)} / {show(offered.output)} {offered.unit}"]
    for name in ("cache_read", "cache_write"):
        if (value := getattr(offered, name)) is not None:
            parts.append(f"{JUDGED[name]} {show(value)}")
    if offered.long_context_threshold is not None:
        parts.append(
            f"above {offered.long_context_threshold}: {show(offered.long_context_input)} / "
            f"{show(offered.long_context_output)}"
        )
    return "; ".join(parts)[:250]


def price_change_text(old_in: Decimal | None, old_out: Decimal | None, model: AIModel) -> str:
    def show(value: Decimal | None) -> str:
        return "—" if value is None else f"${value.normalize():f}"

    return (
        f"price {show(old_in)}/{show(old_out)} → {show(model.input_price_per_mtok)}/"
        f"{show(model.output_price_per_mtok)} ({model.get_price_unit_display()}, input/output)"
    )


@transaction.atomic
def price_flag_accept(*, flag: PriceFlag, by: User) -> PriceFlag:
    """A catalog admin vouches for a flagged price: apply every component of it with a ledger
    entry, once."""
    flag = PriceFlag.objects.select_for_update().select_related("model").get(pk=flag.pk)
    if not flag.acceptable:
        raise Conflict("only an open flag with a readable price can be accepted")
    model = AIModel.objects.select_for_update().get(pk=flag.model_id)
    old_in, old_out = model.input_price_per_mtok, model.output_price_per_mtok
    now = timezone.now()
    for field, value in flag.price_components.as_fields().items():
        setattr(model, field, value)
    model.price_checked_at = now
    model.save()
    PriceObservation.entry(
        model_id=model.pk, prices=model.price_components, observed_at=now, source=flag.source
    ).save()
    flag.status, flag.decided_by, flag.decided_at = PriceFlagStatus.ACCEPTED, by, now
    flag.save(update_fields=["status", "decided_by", "decided_at"])
    text = price_change_text(old_in, old_out, model)
    model_events_notify(events=[ModelEvent(model, "price", text, old_in, old_out)])
    return flag


def price_flags_dismiss(*, flags: QuerySet[PriceFlag], by: User) -> int:
    """A catalog admin rules flagged values wrong: they stay unapplied and, being remembered,
    are not flagged again by later syncs. Returns how many open flags were dismissed."""
    return flags.filter(status=PriceFlagStatus.OPEN).update(
        status=PriceFlagStatus.DISMISSED, decided_by=by, decided_at=timezone.now()
    )

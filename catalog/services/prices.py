"""Keep prices true: one fetch per price source, matched by `price_source_key`, written in bulk.

Idempotent: a model is written only when the source's price differs from the stored one, and
each batch re-reads its rows under a lock before writing, so a redelivered or duplicated run (or
one resumed after a worker died mid-way) writes every change exactly once. Junk is flagged
(PriceFlag) and never applied.
"""

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.choices import JobKind, PriceFlagStatus, PriceSource
from catalog.models import AIModel, JobRun, PriceFlag, PriceObservation, Vendor
from catalog.services.errors import Conflict
from catalog.services.notices import ModelEvent, model_events_notify
from catalog.vendors.base import PriceQuote, VendorError
from catalog.vendors.litellm_source import LiteLLMCostMapAdapter
from catalog.vendors.openrouter import OpenRouterAdapter

JUMP = Decimal(10)
MODEL_FIELDS = [
    "input_price_per_mtok",
    "output_price_per_mtok",
    "price_unit",
    "price_checked_at",
    "deprecation_date",
]
ADAPTERS = {PriceSource.LITELLM: LiteLLMCostMapAdapter, PriceSource.OPENROUTER: OpenRouterAdapter}
Source = tuple[str, str]  # (price_source, price_source_url)


@dataclass
class SyncResult:
    """What a sync did, summed over its sources; `retry_vendors` failed transiently."""

    runs: list[JobRun] = field(default_factory=list)
    retry_vendors: list[str] = field(default_factory=list)
    retry_after: float | None = None

    @property
    def checked(self) -> int:
        return sum(r.checked for r in self.runs)

    @property
    def changed(self) -> int:
        return sum(r.changed for r in self.runs)

    @property
    def flagged(self) -> int:
        return sum(r.flagged for r in self.runs)

    @property
    def errors(self) -> list[dict[str, object]]:
        return [e for r in self.runs for e in r.errors]

    def __str__(self) -> str:
        return (
            f"{len(self.runs)} source(s): checked {self.checked}, changed {self.changed}, "
            f"flagged {self.flagged}, errors {len(self.errors)}"
        )


def _judge(quote: PriceQuote, model: AIModel) -> str:
    """'' when the quote can be applied (or changes nothing), else why it is junk."""
    if quote.problem:
        return quote.problem
    if quote.input_price is None and quote.output_price is None:
        return "missing price fields" if model.is_priced else ""
    if quote.price_unit == model.price_unit:
        pairs = (
            (quote.input_price, model.input_price_per_mtok),
            (quote.output_price, model.output_price_per_mtok),
        )
        for new, old in pairs:
            if new and old and (new > old * JUMP or new * JUMP < old):
                return f"jump over 10×: {old.normalize()} → {new.normalize()}"
    return ""


def _price_differs(quote: PriceQuote, model: AIModel) -> bool:
    if quote.input_price is None and quote.output_price is None:
        return False
    return (quote.input_price, quote.output_price, quote.price_unit) != (
        model.input_price_per_mtok,
        model.output_price_per_mtok,
        model.price_unit,
    )


def _new_deprecation(quote: PriceQuote, model: AIModel) -> bool:
    return quote.deprecation_date is not None and quote.deprecation_date != model.deprecation_date


def _needs_write(quote: PriceQuote, model: AIModel) -> bool:
    return (
        bool(_judge(quote, model)) or _price_differs(quote, model) or _new_deprecation(quote, model)
    )


async def _fetch_all(sources: Sequence[Source]) -> list[dict[str, PriceQuote] | VendorError]:
    timeout = httpx.Timeout(settings.VENDOR_TIMEOUT_SECONDS)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:

        async def fetch(source: Source) -> dict[str, PriceQuote] | VendorError:
            kind, url = source
            try:
                return await ADAPTERS[kind](client, base_url=url).price_quotes()  # type: ignore[abstract]
            except VendorError as exc:
                return exc

        return await asyncio.gather(*(fetch(source) for source in sources))


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
    fetched = asyncio.run(_fetch_all(sources)) if sources else []
    for source, run, quotes in zip(sources, result.runs, fetched, strict=True):
        slugs = [v.slug for v in grouped[source]]
        if isinstance(quotes, VendorError):
            run.errors = [quotes.as_record(source=source[1], vendors=slugs)]
            if not quotes.permanent:
                result.retry_vendors += slugs
                result.retry_after = max(result.retry_after or 0, quotes.retry_after or 0)
        else:
            _apply(run, source[0], grouped[source], quotes, batch_size, track)
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
    models = AIModel.objects.filter(vendor__in=vendors).only(
        "pk", "price_source_key", *MODEL_FIELDS
    )
    matched: list[int] = []
    pending: list[int] = []
    for model in models.iterator(chunk_size=2000):
        quote = quotes.get(model.price_source_key)
        if quote is None:
            continue
        matched.append(model.pk)
        if _needs_write(quote, model):
            pending.append(model.pk)
    run.checked = len(matched)
    now = timezone.now()
    for start in range(0, len(pending), size):
        batch = pending[start : start + size]
        changed, flagged = _write_batch(run, source, batch, quotes, now)
        run.changed += changed
        run.flagged += flagged
        if track:
            track(len(batch))
    for start in range(0, len(matched), 10_000):
        AIModel.objects.filter(pk__in=matched[start : start + 10_000]).update(price_checked_at=now)


@transaction.atomic
def _write_batch(
    run: JobRun, source: str, pks: list[int], quotes: dict[str, PriceQuote], now: datetime
) -> tuple[int, int]:
    """Re-read the batch under lock and write what still differs: safe against a concurrent or
    earlier run of the same sync. Returns (changed, flagged)."""
    models = (
        AIModel.objects.select_for_update()
        .filter(pk__in=pks)
        .only("pk", "name", "price_source_key", *MODEL_FIELDS)
    )
    updates: list[AIModel] = []
    observations: list[PriceObservation] = []
    flags: list[PriceFlag] = []
    events: list[ModelEvent] = []
    for model in models:
        quote = quotes[model.price_source_key]
        if reason := _judge(quote, model):
            flags.append(_flag(run, source, model, quote, reason, now))
            continue
        price_changed, deprecated = _price_differs(quote, model), _new_deprecation(quote, model)
        if not (price_changed or deprecated):
            continue
        if price_changed:
            old_in, old_out = model.input_price_per_mtok, model.output_price_per_mtok
            model.input_price_per_mtok = quote.input_price
            model.output_price_per_mtok = quote.output_price
            model.price_unit = quote.price_unit
            observations.append(_observation(model, source, now))
            events.append(
                ModelEvent(model, "price", _price_text(old_in, old_out, model), old_in, old_out)
            )
        if deprecated:
            model.deprecation_date = quote.deprecation_date
            events.append(
                ModelEvent(model, "deprecation", f"deprecated on {quote.deprecation_date}")
            )
        model.price_checked_at = now
        updates.append(model)
    AIModel.objects.bulk_update(updates, MODEL_FIELDS)
    PriceObservation.objects.bulk_create(observations)
    PriceFlag.objects.bulk_create(flags, ignore_conflicts=True)
    model_events_notify(events=events)
    return len(updates), len(flags)


def _observation(model: AIModel, source: str, at: datetime) -> PriceObservation:
    return PriceObservation(
        model=model,
        observed_at=at,
        input_price_per_mtok=model.input_price_per_mtok,
        output_price_per_mtok=model.output_price_per_mtok,
        price_unit=model.price_unit,
        source=source,
    )


def _flag(
    run: JobRun, source: str, model: AIModel, quote: PriceQuote, reason: str, now: datetime
) -> PriceFlag:
    return PriceFlag(
        job_run=run,
        model=model,
        reason=reason[:200],
        source=source,
        raw_input=quote.raw_input,
        raw_output=quote.raw_output,
        input_price_per_mtok=quote.input_price,
        output_price_per_mtok=quote.output_price,
        price_unit=quote.price_unit,
        created_at=now,
    )


def _price_text(old_in: Decimal | None, old_out: Decimal | None, model: AIModel) -> str:
    def show(value: Decimal | None) -> str:
        return "—" if value is None else f"${value.normalize():f}"

    return (
        f"price {show(old_in)}/{show(old_out)} → {show(model.input_price_per_mtok)}/"
        f"{show(model.output_price_per_mtok)} ({model.get_price_unit_display()}, input/output)"
    )


@transaction.atomic
def price_flag_accept(*, flag: PriceFlag, by: User) -> PriceFlag:
    """A catalog admin vouches for a flagged price: apply it with a ledger entry, once."""
    flag = PriceFlag.objects.select_for_update().select_related("model").get(pk=flag.pk)
    if not flag.acceptable:
        raise Conflict("only an open flag with a readable price can be accepted")
    model = AIModel.objects.select_for_update().get(pk=flag.model_id)
    old_in, old_out = model.input_price_per_mtok, model.output_price_per_mtok
    now = timezone.now()
    model.input_price_per_mtok = flag.input_price_per_mtok
    model.output_price_per_mtok = flag.output_price_per_mtok
    model.price_unit = flag.price_unit
    model.price_checked_at = now
    model.save()
    PriceObservation.objects.create(
        model=model,
        observed_at=now,
        input_price_per_mtok=model.input_price_per_mtok,
        output_price_per_mtok=model.output_price_per_mtok,
        price_unit=model.price_unit,
        source=flag.source,
    )
    flag.status, flag.decided_by, flag.decided_at = PriceFlagStatus.ACCEPTED, by, now
    flag.save(update_fields=["status", "decided_by", "decided_at"])
    model_events_notify(
        events=[ModelEvent(model, "price", _price_text(old_in, old_out, model), old_in, old_out)]
    )
    return flag

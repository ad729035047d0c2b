"""Writing a window of fetched usage: one row per (source, account, day, reported model).

Rows are summed per key (a vendor may split a model's day by tier or batch), priced from the
ledger, given their share of separately reported charges, and upserted: a re-ingested day
replaces its rows, and rows equal to what is stored are not written at all. A day whose answer
had a junk item is not replaced (its stored rows stay), and a key whose sums do not fit the
columns is a problem for that key alone.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from catalog.models.costs import TokenCounts
from usage.connectors.base import MAX_AMOUNT, MAX_COUNT, SIX_PLACES, CostRow, UsageRow
from usage.models import UsageAccount, UsageRecord, UsageSource
from usage.services.matching import ModelMatcher
from usage.services.pricing import PriceLedger

UNATTRIBUTED = ""  # a charge for an account-day with no usage row to carry it
Key = tuple[int, date, str]  # account id, day, reported model
# In the order `_upsert` compares them with what is stored.
STORED_FIELDS = [
    "unit_id",
    "model_id",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "requests",
    "billed_cost",
    "list_cost",
]
# Column order of the rows `_upsert` writes.
COLUMNS = [
    "source_id", "account_id", "day", "vendor_model_id", "unit_id", "model_id", "input_tokens",
    "output_tokens", "cache_read_tokens", "cache_write_tokens", "requests", "billed_cost",
    "list_cost", "ingested_at",
]  # fmt: skip
UPDATE_FIELDS = [
    "unit",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "requests",
    "billed_cost",
    "list_cost",
    "ingested_at",
]
Doubt = tuple[str | None, date | None]  # (external account id, day); None: not known
BATCH = 2000


@dataclass
class Tally:
    """One key's day, summed; the long-context part is kept too, as it is priced apart."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int | None = 0  # None once any part of the day was reported without a count
    billed_cost: Decimal | None = None
    list_cost: Decimal | None = None
    long_context: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    reported: bool = False  # a usage row: not only a charge

    def add(self, row: UsageRow) -> None:
        self.reported = True
        counts = (row.input_tokens, row.output_tokens, row.cache_read_tokens)
        self.input_tokens += counts[0]
        self.output_tokens += counts[1]
        self.cache_read_tokens += counts[2]
        self.cache_write_tokens += row.cache_write_tokens
        if row.long_context:
            for index, value in enumerate((*counts, row.cache_write_tokens)):
                self.long_context[index] += value
        self.count_requests(row.requests)
        if row.billed_cost is not None:
            self.bill(row.billed_cost)

    def parts(self) -> list[TokenCounts]:
        """The tokens below and above the long-context threshold, each priced at its tier."""
        if not any(self.long_context):  # nearly every day: one part (a million keys a run)
            return [
                TokenCounts(
                    self.input_tokens,
                    self.output_tokens,
                    self.cache_read_tokens,
                    self.cache_write_tokens,
                )
            ]
        long_in, long_out, long_read, long_write = self.long_context
        long = TokenCounts(long_in, long_out, long_read, long_write, long_context=True)
        short = TokenCounts(
            self.input_tokens - long.input,
            self.output_tokens - long.output,
            self.cache_read_tokens - long.cache_read,
            self.cache_write_tokens - long.cache_write,
        )
        return [
            part for part in (short, long) if part != TokenCounts(long_context=part.long_context)
        ]

    def out_of_range(self) -> str:
        """Why the sums would not fit their columns ('' when they do)."""
        counts = (self.input_tokens, self.output_tokens, self.cache_read_tokens)
        if (
            max(*counts, self.cache_write_tokens, self.requests or 0) <= MAX_COUNT
            and (self.billed_cost is None or self.billed_cost <= MAX_AMOUNT)
            and (self.list_cost is None or self.list_cost <= MAX_AMOUNT)
        ):
            return ""  # nearly always: one comparison per sum
        for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            if getattr(self, name) > MAX_COUNT:
                return f"{name} sum out of range: {getattr(self, name)}"
        if self.requests is not None and self.requests > MAX_COUNT:
            return f"requests sum out of range: {self.requests}"
        for name in ("billed_cost", "list_cost"):
            if (value := getattr(self, name)) is not None and value > MAX_AMOUNT:
                return f"{name} out of range: {value:.6E} USD"
        return ""

    def count_requests(self, requests: int | None) -> None:
        if requests is None or self.requests is None:
            self.requests = None
        else:
            self.requests += requests

    def bill(self, amount: Decimal) -> None:
        self.billed_cost = (self.billed_cost or Decimal(0)) + amount


@dataclass
class WriteResult:
    checked: int = 0
    changed: int = 0
    problems: list[dict[str, object]] = field(default_factory=list)
    touched: set[tuple[int, date]] = field(default_factory=set)  # (unit id, month)


def share(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` in proportion to `weights` (equal parts when they sum to 0); the parts are
    rounded to 6 places and always add up to `amount` exactly."""
    total = sum(weights, Decimal(0))
    if total <= 0:
        weights, total = [Decimal(1)] * len(weights), Decimal(len(weights))
    parts = [(amount * w / total).quantize(SIX_PLACES) for w in weights[:-1]]
    return [*parts, amount - sum(parts, Decimal(0))]


def records_write(
    *,
    source: UsageSource,
    accounts: dict[str, UsageAccount],
    rows: Iterable[UsageRow],
    costs: Iterable[CostRow],
    since: date,
    until: date,
    matcher: ModelMatcher,
    replace_days: bool = True,
    doubtful: Collection[Doubt] = (),
) -> WriteResult:
    """Upsert the window's rows for these accounts; unknown accounts and days outside the window
    are recorded as problems, never written. With `replace_days`, an account-day in the answer
    is replaced whole (an import of part of a day passes False and only upserts), unless the
    answer had a problem for it (`doubtful`): then its stored rows stay."""
    result = WriteResult()
    tallies: dict[Key, Tally] = defaultdict(Tally)
    unmapped: dict[str, int] = defaultdict(int)
    for row in rows:
        result.checked += 1
        account = accounts.get(row.account)
        if account is None or not since <= row.day <= until:
            unmapped[row.account if account is None else f"{row.account} on {row.day}"] += 1
            continue
        tallies[(account.pk, row.day, row.model)].add(row)
    units = {a.pk: a.unit_id for a in accounts.values()}

    def match(key: Key) -> int | None:
        return matcher.match(key[2], unit_id=units[key[0]], day=key[1])

    matched = {key: match(key) for key in tallies}
    ledger = PriceLedger.for_models(m for m in matched.values() if m is not None)
    for key, tally in tallies.items():
        tally.list_cost = ledger.list_cost(matched[key], key[1], tally.parts())
    _apply_costs(tallies, costs, accounts, since, until, unmapped)
    matched |= {key: match(key) for key in tallies if key not in matched}  # charges' own lines
    for name, candidates in sorted(matcher.ambiguous.items()):
        result.problems.append(
            {
                "where": source.name,
                "error": f"{name} matches {len(candidates)} catalog models, none adopted by "
                "the unit or the source's or the name's vendor: left unmatched",
                "candidates": candidates[:20],
            }
        )
    external = {a.pk: external_id for external_id, a in accounts.items()}
    doubts = {
        (accounts[a].pk if a is not None and a in accounts else None, day)
        for a, day in doubtful
        if a is None or a in accounts
    }
    for key in list(tallies):
        if reason := tallies[key].out_of_range():
            del tallies[key]
            doubts.add((key[0], key[1]))
            result.problems.append(
                {
                    "where": source.name,
                    "error": reason,
                    "item": f"{external[key[0]]} {key[1]} {key[2]}"[:200],
                }
            )
    for what, rows_skipped in unmapped.items():
        result.problems.append(
            {
                "where": source.name,
                "error": f"no account or outside the window: {what}",
                "rows": rows_skipped,
            }
        )
    result.changed = _upsert(source, tallies, units, matched, since, until, replace_days, doubts)
    result.touched = {(units[a], day.replace(day=1)) for a, day, _ in tallies}
    return result


def _apply_costs(
    tallies: dict[Key, Tally],
    costs: Iterable[CostRow],
    accounts: dict[str, UsageAccount],
    since: date,
    until: date,
    unmapped: dict[str, int],
) -> None:
    """A charge naming a model (or a line item) goes to that row, a line of its own when no
    usage explains it (OpenAI's embeddings, images, storage…: never spread over chat models);
    the account-day's unnamed charges are shared over its rows by list cost (tokens when any
    is unpriced)."""
    pooled: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for cost in costs:
        account = accounts.get(cost.account)
        if account is None or not since <= cost.day <= until:
            unmapped[cost.account if account is None else f"{cost.account} on {cost.day}"] += 1
            continue
        if cost.model:
            tallies[(account.pk, cost.day, cost.model)].bill(cost.amount)
        else:
            pooled[(account.pk, cost.day)] += cost.amount
    if not pooled:
        return
    by_day: dict[tuple[int, date], list[Tally]] = defaultdict(list)
    for (account_id, day, _), tally in tallies.items():
        if tally.reported:
            by_day[(account_id, day)].append(tally)
    for (account_id, day), amount in pooled.items():
        carriers = by_day.get((account_id, day))
        if not carriers:
            tallies[(account_id, day, UNATTRIBUTED)].bill(amount)
            continue
        if all(t.list_cost is not None for t in carriers):
            weights = [t.list_cost or Decimal(0) for t in carriers]
        else:
            weights = [Decimal(t.input_tokens + t.output_tokens) for t in carriers]
        for tally, part in zip(carriers, share(amount, weights), strict=True):
            tally.bill(part)


def _upsert(
    source: UsageSource,
    tallies: dict[Key, Tally],
    units: dict[int, int],
    matched: dict[Key, int | None],
    since: date,
    until: date,
    replace_days: bool,
    doubts: set[tuple[int | None, date | None]],
) -> int:
    stored = {
        (r[1], r[2], r[3]): (r[0], r[4:])
        for r in UsageRecord.objects.filter(
            source=source, account_id__in=list(units), day__range=(since, until)
        ).values_list("pk", "account_id", "day", "vendor_model_id", *STORED_FIELDS)
    }
    # A day an account was reported on is replaced whole: its models missing from the new
    # answer go (a vendor re-attributed them). Days not reported now are left as they were.
    reported = {(account_id, day) for account_id, day, _ in tallies}

    def in_doubt(account_id: int, day: date) -> bool:
        return any((a, d) in doubts for a in (account_id, None) for d in (day, None))

    stale = (
        [
            pk
            for key, (pk, _) in stored.items()
            if key[:2] in reported and key not in tallies and not in_doubt(*key[:2])
        ]
        if replace_days
        else []
    )
    now = timezone.now()
    pending: list[tuple[object, ...]] = []
    for key, tally in tallies.items():
        account_id, day, name = key
        values = (
            units[account_id],
            matched[key],
            tally.input_tokens,
            tally.output_tokens,
            tally.cache_read_tokens,
            tally.cache_write_tokens,
            tally.requests,
            None if tally.billed_cost is None else tally.billed_cost.quantize(SIX_PLACES),
            tally.list_cost,
        )
        if key not in stored or stored[key][1] != values:
            pending.append((source.pk, account_id, day, name, *values, now))
    with transaction.atomic():
        UsageRecord.objects.filter(pk__in=stale).delete()
        if connection.vendor == "postgresql":
            _copy_upsert(pending)
        else:
            for start in range(0, len(pending), BATCH):
                UsageRecord.objects.bulk_create(
                    [
                        UsageRecord(**dict(zip(COLUMNS, row, strict=True)))
                        for row in pending[start : start + BATCH]
                    ],
                    update_conflicts=True,
                    unique_fields=["source", "account", "day", "vendor_model_id"],
                    update_fields=UPDATE_FIELDS,
                )
    return len(pending) + len(stale)


def _copy_upsert(rows: list[tuple[object, ...]]) -> None:
    """PostgreSQL: COPY the rows into a scratch table, then one INSERT … ON CONFLICT DO UPDATE
    (a multi-row INSERT of a million rows costs several times more)."""
    if not rows:
        return
    columns = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[4:])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS usage_incoming")
        cursor.execute(
            f"CREATE TEMP TABLE usage_incoming ON COMMIT DROP AS SELECT {columns} "
            "FROM usage_usagerecord WITH NO DATA"
        )
        with cursor.copy(f"COPY usage_incoming ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO usage_usagerecord ({columns}) SELECT {columns} FROM usage_incoming "
            f"ON CONFLICT (source_id, account_id, day, vendor_model_id) DO UPDATE SET {updates}"
        )

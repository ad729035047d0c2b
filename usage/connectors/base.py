"""What every usage connector returns, and the parsing of untrusted numbers they share.

Connectors build on catalog's `VendorAdapter` (HTTP, auth headers, `VendorError`). A call that
fails raises `VendorError`; a well-formed answer with bad items yields the good rows and one
recorded problem per bad item, never an exception.
"""

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from core.http import VendorAdapter, redact, shape_error

SIX_PLACES = Decimal("0.000001")
# Tokens (or requests) one account reports for one model on one day, at most: a quadrillion is
# far past any real day and leaves room to sum thousands of such rows in a 64-bit month total.
MAX_COUNT = 10**15
# A day's cost for one account and model above this is junk (and would not fit the column).
MAX_AMOUNT = Decimal("1000000000")
MAX_PAGES = 1000
# Tuples, not `int | float`: a union is built anew at every call, a million times an ingest.
COUNT_TYPES = (int, float)
MONEY_TYPES = (int, float, str)  # a source that says "more" forever must not hold the job


class BadValue(ValueError):
    """One field of one item cannot be trusted; the item is skipped and recorded."""


@dataclass(frozen=True)
class UsageRow:
    """One account's use of one reported model on one day. `billed_cost` when the usage answer
    carries it (LiteLLM's spend), else None and a `CostRow` may supply it. `requests` is None
    when the source does not count them: unknown, never a fake 0."""

    account: str
    day: date
    model: str
    input_tokens: int
    output_tokens: int
    requests: int | None  # None: the source does not count requests (Anthropic's report)
    billed_cost: Decimal | None = None
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    # The source says these requests were above the model's long-context threshold.
    long_context: bool = False


@dataclass(frozen=True)
class CostRow:
    """A charge for one account and day, for one model when the source says which ('' if not)."""

    account: str
    day: date
    model: str
    amount: Decimal


@dataclass
class Fetched:
    """A connector's answer for a window: usage rows, separate charges, and what was skipped.

    `doubtful` holds the (account, day) of every skipped item, None where the item did not say
    which: those account-days are not replaced, so a junk item never deletes a stored record.
    """

    rows: list[UsageRow] = field(default_factory=list)
    costs: list[CostRow] = field(default_factory=list)
    problems: list[dict[str, object]] = field(default_factory=list)
    doubtful: set[tuple[str | None, date | None]] = field(default_factory=set)

    def problem(
        self,
        where: str,
        error: object,
        item: object = None,
        *,
        account: str | None = None,
        day: date | None = None,
    ) -> None:
        # Redacted before cutting, so no part of a key an answer echoed is kept either.
        self.problems.append({"where": where, "error": redact(str(error)), "item": shown(item)})
        self.doubtful.add((account, day))


def shown(item: object) -> str:
    """An item as a problem quotes it, short and without a key, whatever it holds: the repr
    of a 10**5000 integer or of an absurdly nested list raises, so its type speaks for it."""
    try:
        text = repr(item)
    except (ValueError, RecursionError):
        return f"<{type(item).__name__} too large to show>"
    return redact(text)[:200]


class UsageConnector(VendorAdapter):
    """Fetch a window of daily usage (and charges) for the given external account ids."""

    def fetch(self, *, accounts: list[str], since: date, until: date) -> Fetched:
        raise NotImplementedError


def buckets(
    connector: VendorAdapter,
    url: str,
    query: list[tuple[str, str]],
    fetched: Fetched,
    *,
    start: str,
) -> Iterator[tuple[date, object]]:
    """Each result item of a vendor's daily buckets with the bucket's day, over every page.

    OpenAI and Anthropic page alike: {data: [{<start>, results}], has_more, next_page}, the
    token going back as `page`. A bucket that cannot be read is recorded and skipped.
    """
    page: str | None = None
    for _ in range(MAX_PAGES):
        paged = query if page is None else [*query, ("page", page)]
        body, _ = connector.get_json(f"{url}?{urlencode(paged)}")
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise shape_error(url, "no data list")
        for bucket in data:
            try:
                entry = mapping(bucket, "bucket")
                moment = entry.get(start)
                day = (
                    day_from_unix(moment, start)
                    if isinstance(moment, int)
                    else day_from_iso(moment, start)
                )
                results = entry.get("results")
                if not isinstance(results, list):
                    raise BadValue("results must be a list")
            except BadValue as exc:
                fetched.problem(url, exc, bucket)  # no day known: the whole window is doubtful
                continue
            for item in results:
                yield day, item
        next_page = body.get("next_page")
        if body.get("has_more") is not True or not isinstance(next_page, str):
            return
        page = next_page
    raise shape_error(url, f"more than {MAX_PAGES} pages")


def parse_into(
    fetched: Fetched,
    url: str,
    item: object,
    build: Callable[[dict[str, Any]], object],
    *,
    day: date,
    account_of: Callable[[dict[str, Any]], str | None],
) -> None:
    """Build a row from one result item, or record why it cannot be trusted (with its day and,
    when it can still be read, its account: the account-day it leaves in doubt)."""
    try:
        row = build(mapping(item, "result"))
    except BadValue as exc:
        account = None
        if isinstance(item, dict):
            try:
                account = account_of(item)
            except BadValue:
                pass
        fetched.problem(url, exc, item, account=account, day=day)
        return
    if isinstance(row, UsageRow):
        fetched.rows.append(row)
    elif isinstance(row, CostRow):
        fetched.costs.append(row)


def count(value: object, name: str) -> int:
    """A non-negative whole number that fits a 64-bit column (integral floats accepted)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, COUNT_TYPES):
        raise BadValue(f"{name} must be a number, got {shown(value)}")
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise BadValue(f"{name} must be a whole number, got {shown(value)}")
    number = int(value)
    if not 0 <= number <= MAX_COUNT:
        raise BadValue(f"{name} out of range: {shown(value)}")
    return number


def part_of(total: int, parts: int, name: str) -> int:
    """What remains of a count that includes others (prompt tokens with their cache reads):
    parts larger than the whole are junk, never a negative count."""
    if parts > total:
        raise BadValue(f"{name}: its cached parts ({parts}) exceed the total ({total})")
    return total - parts


def money(value: object, name: str, *, scale: Decimal = Decimal(1)) -> Decimal:
    """USD as an exact Decimal via the value's shortest repr; `scale` turns cents into dollars."""
    if isinstance(value, bool) or not isinstance(value, MONEY_TYPES):
        raise BadValue(f"{name} must be a number, got {shown(value)}")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):  # ValueError: an int too long to print
        raise BadValue(f"{name} must be a number, got {shown(value)}") from None
    if not amount.is_finite():
        raise BadValue(f"{name} must be finite, got {shown(value)}")
    if amount and amount.adjusted() > MAX_AMOUNT.adjusted() + 3:
        # Checked before any arithmetic: "1e1000002" would overflow Decimal's context.
        raise BadValue(f"{name} out of range: {shown(value)}")
    if scale != 1:
        amount *= scale
    if not 0 <= amount <= MAX_AMOUNT:
        raise BadValue(f"{name} out of range: {shown(value)}")
    return amount.quantize(SIX_PLACES)


def text(value: object, name: str, *, max_length: int = 200) -> str:
    if not isinstance(value, str) or not value or len(value) > max_length or "\x00" in value:
        raise BadValue(f"{name} must be a non-empty string, got {shown(value)}")
    return value


def day_from_iso(value: object, name: str) -> date:
    """`2025-03-01` or an RFC 3339 timestamp (the UTC day it falls on)."""
    if not isinstance(value, str):
        raise BadValue(f"{name} must be a date string, got {shown(value)}")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(f"{name} is not a date: {shown(value)}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def day_from_unix(value: object, name: str) -> date:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"{name} must be a Unix time, got {shown(value)}")
    try:
        return datetime.fromtimestamp(value, UTC).date()
    except (OverflowError, OSError, ValueError):
        raise BadValue(f"{name} out of range: {shown(value)}") from None


def mapping(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadValue(f"{name} must be an object, got {type(value).__name__}")
    return value

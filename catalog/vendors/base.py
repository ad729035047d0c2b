"""The one base every vendor adapter builds on: an HTTP GET of JSON with failures classified.

Adapters share one thread-safe `httpx.Client`, so callers run them concurrently in a thread
pool (asyncio with httpx measured 8× slower per call here). Every failure becomes a
`VendorError` that says whether retrying can help.

Vendor answers are untrusted input: an adapter returns what it could read plus one problem per
item it could not (wrong types, junk numbers), and raises nothing but VendorError.
"""

import functools
import math
import os
import reprlib
import ssl
import time
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

import httpx
from django.conf import settings

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict = 3, 60, 60, 4, 4
MAX_PROBLEMS = 20  # per answer: enough to see what is wrong, not a megabyte of JSON per run


class VendorError(Exception):
    """A vendor call failed. `permanent` failures (bad key, unknown URL, malformed answer) are
    not retried; transient ones (timeouts, 429, 5xx, refused connections) are, after
    `retry_after` seconds when the vendor said so."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        http_status: int | None = None,
        retry_after: float | None = None,
        latency_ms: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.http_status = http_status
        self.retry_after = retry_after
        self.latency_ms = latency_ms

    @property
    def rate_limited(self) -> bool:
        return self.http_status == 429

    def as_record(self, **context: object) -> dict[str, object]:
        """The JSON shape kept in JobRun.errors."""
        return {
            **context,
            "error": str(self),
            "http_status": self.http_status,
            "permanent": self.permanent,
        }


class PriceQuote(NamedTuple):
    """A price source's word on one model, or the reason it cannot be trusted (`problem`).
    A tuple: a sync builds one per entry of a map of thousands."""

    key: str
    input_price: Decimal | None = None
    output_price: Decimal | None = None
    price_unit: str = "per_mtok"
    deprecation_date: Any = None
    problem: str = ""
    raw_input: str = ""
    raw_output: str = ""


class ModelList(NamedTuple):
    """The ids a vendor lists, the list call's latency, and one problem per unreadable item."""

    ids: set[str]
    latency_ms: int
    problems: list[str]


class PriceList(NamedTuple):
    """A price source's quotes by key, and the problems of items that have no usable key."""

    quotes: dict[str, PriceQuote]
    problems: list[str]


def show(value: object) -> str:
    """A short, safe rendering of an untrusted value for a problem message."""
    return _SHORT.repr(value)


def listed_ids(items: list[Any], where: str) -> tuple[set[str], list[str]]:
    """The string ids of a list's items; any other item is a problem, not an error."""
    ids: set[str] = set()
    problems: list[str] = []
    for index, item in enumerate(items):
        model_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(model_id, str) and model_id:
            ids.add(model_id)
        else:
            problems.append(f"{where} item {index}: no string id in {show(item)}")
    return ids, problems


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~0.15 s: once per process, not once per job run."""
    return ssl.create_default_context()


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (a number of seconds or an HTTP date), clamped to
    0..VENDOR_RETRY_AFTER_MAX: `inf` or a date in 9999 must not hold a retry for ever."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if math.isnan(seconds):
        return None
    return min(float(settings.VENDOR_RETRY_AFTER_MAX), max(0.0, seconds))


class VendorAdapter:
    """GET JSON from a vendor with its auth headers; subclasses know the formats."""

    def __init__(self, client: httpx.Client, *, base_url: str, api_key_env: str = "") -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        # Keys live only in the environment; the database names the variable.
        self.api_key = os.environ.get(api_key_env, "") if api_key_env else ""

    def headers(self) -> dict[str, str]:
        return {}

    def get_json(self, url: str, params: dict[str, str] | None = None) -> tuple[Any, int]:
        """The decoded JSON body and the call's latency in ms; raises VendorError."""
        return self.request_json("GET", url, params=params)

    def request_json(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> tuple[Any, int]:
        """One call with the vendor's auth headers (a JSON `body` is sent as such): the decoded
        answer and the call's latency in ms; every failure a VendorError saying if retrying
        can help."""
        start = time.perf_counter()
        try:
            response = self.client.request(
                method, url, params=params, json=body, headers=self.headers()
            )
        except httpx.TimeoutException:
            raise VendorError(f"timed out: {url}", permanent=False) from None
        except httpx.TransportError as exc:
            raise VendorError(f"cannot connect: {url}: {exc}", permanent=False) from None
        latency_ms = round((time.perf_counter() - start) * 1000)
        status = response.status_code
        if status >= 400:
            raise VendorError(
                f"HTTP {status} from {url}",
                permanent=status not in (408, 425, 429) and status < 500,
                http_status=status,
                retry_after=retry_after_seconds(response.headers.get("retry-after")),
                latency_ms=latency_ms,
            )
        try:
            return response.json(), latency_ms
        except (ValueError, RecursionError):  # broken, undecodable or absurdly nested JSON
            raise VendorError(
                f"malformed JSON from {url}",
                permanent=True,
                http_status=status,
                latency_ms=latency_ms,
            ) from None


def shape_error(url: str, what: str) -> VendorError:
    """A well-formed JSON answer in the wrong shape: permanent until the vendor changes it."""
    return VendorError(f"unexpected answer from {url}: {what}", permanent=True)

"""The outbound HTTP client: every call to a URL stored in the database goes through here.

One thread-safe `httpx.Client` per job (`outbound_client`), so callers run calls concurrently
in a thread pool (asyncio with httpx measured 8x slower per call here). Every failure becomes
a `VendorError` that says whether retrying can help. Answers are untrusted input: adapters
built on `VendorAdapter` return what they could read plus one problem per unreadable item, and
raise nothing but VendorError.
"""

import functools
import math
import os
import re
import reprlib
import ssl
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError

from core.outbound import AddressPolicy, OutboundRefused, policy_client, url_refusal
from modelshelf import env

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
        super().__init__(redact(message))
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


def key_values() -> list[str]:
    """The keys this process holds: values of variables named like a key (KEY_ENV_PATTERN).
    Short values are left out: redacting "1" would garble every message."""
    pattern = re.compile(settings.KEY_ENV_PATTERN)
    return [value for name, value in os.environ.items() if len(value) >= 8 and pattern.match(name)]


def redact(text: str) -> str:
    """text with every key this process holds replaced: an answer that echoes the request's
    headers must not carry a key into a JobRun's errors, a log line or the API."""
    for key in key_values():
        text = text.replace(key, "[redacted]")
    return text


def show(value: object) -> str:
    """A short, safe rendering of an untrusted value for a problem message (never a key, even
    one the vendor echoed back, nor a truncated part of one)."""
    text = _SHORT.repr(value)
    keys = key_values()
    if keys and any(key in repr(value) for key in keys):
        return "[a value containing a key, redacted]"
    return text


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


def validate_outbound_url(url: str) -> None:
    """Refuse a stored URL the outbound client would not call (a field validator: the API and
    the admin answer 400 naming the field). Credentials inside a URL are refused too: the
    database names keys, it never holds them."""
    if not url:
        return
    refusal = url_refusal(url, policy=AddressPolicy(allowed_hosts=settings.OUTBOUND_ALLOWED_HOSTS))
    if refusal is None and httpx.URL(url).userinfo:
        refusal = "A URL may not carry a user name or password."
    if refusal:
        raise ValidationError(refusal, code="outbound_url")


def settings_variables() -> frozenset[str]:
    """Variables the server itself reads (its settings, its libraries, its platform): a key
    variable field naming one of them would send that secret to a vendor."""
    return frozenset(env.READ | SERVER_VARIABLES)


# Read outside modelshelf/env.py's helpers (by libraries, the platform or the scripts); the
# helpers' own reads are recorded as settings load.
SERVER_VARIABLES = frozenset(
    {
        "SECRET_KEY",
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "OIDC_CLIENT_SECRET",
        "NOTIFY_WEBHOOK_URL",
        "DEMO_PASSWORD",
        "DJANGO_SUPERUSER_PASSWORD",
        "PGPASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SESSION_TOKEN",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "AZURE_CLIENT_SECRET",
    }
)


def validate_key_env(name: str) -> None:
    """Refuse a key variable name outside KEY_ENV_PATTERN or one the server reads itself: the
    database names a vendor's key, and must never name one of the server's own secrets."""
    if not name:
        return
    if not re.fullmatch(settings.KEY_ENV_PATTERN, name):
        raise ValidationError(
            f"A key variable's name must match {settings.KEY_ENV_PATTERN}.", code="key_env"
        )
    if name in settings_variables():
        raise ValidationError(
            f"{name} is one of the server's own settings, not a vendor key.", code="key_env"
        )


def outbound_client(
    *, timeout: httpx.Timeout | float, limits: httpx.Limits | None = None
) -> httpx.Client:
    """The client for calls to stored URLs (vendors, price sources, status pages, usage
    sources, eval chat calls, webhooks): one per job run, shared by its threads, so each host
    is resolved and vetted once per run (core.outbound has the policy)."""
    return policy_client(
        policy=AddressPolicy(allowed_hosts=settings.OUTBOUND_ALLOWED_HOSTS),
        max_bytes=settings.OUTBOUND_MAX_BYTES,
        timeout=timeout,
        limits=limits or httpx.Limits(),
        verify=tls_context(),
    )


def wait_until_answering(url: str, *, seconds: float) -> str | None:
    """Poll `url` through the outbound client until it answers at all (a server starting beside
    the caller, as the demo's fake vendor does): None once it does, else why it never did."""
    deadline = time.monotonic() + seconds
    with outbound_client(timeout=2) as client:
        while True:
            try:
                client.get(url)
                return None
            except OutboundRefused as exc:
                return f"refused: {exc}"
            except httpx.TransportError:
                if time.monotonic() >= deadline:
                    return f"no answer within {seconds:g} s"
                time.sleep(0.3)


class VendorAdapter:
    """GET JSON from a vendor with its auth headers; subclasses know the formats."""

    def __init__(self, client: httpx.Client, *, base_url: str, api_key_env: str = "") -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        # Keys live only in the environment; the database names the variable. A row saved
        # before the names were checked may still name SECRET_KEY: such a variable is never
        # read, and every call refuses (the run records why).
        self.key_refusal = ""
        try:
            validate_key_env(api_key_env)
        except ValidationError as exc:
            self.key_refusal = f"key variable {api_key_env!r} refused: {exc.messages[0]}"
        self.api_key = (
            os.environ.get(api_key_env, "") if api_key_env and not self.key_refusal else ""
        )

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
        if self.key_refusal:
            raise VendorError(self.key_refusal, permanent=True)
        start = time.perf_counter()
        try:
            response = self.client.request(
                method, url, params=params, json=body, headers=self.headers()
            )
        except httpx.TimeoutException:
            raise VendorError(f"timed out: {url}", permanent=False) from None
        except OutboundRefused as exc:
            raise VendorError(f"refused: {url}: {exc}", permanent=True) from None
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

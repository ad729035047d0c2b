"""A unit's allow-list as the API renders it, and a fingerprint of exactly what it renders.

`FIELDS` is the one definition of the columns an allow-list body shows (JSON, the LiteLLM
formats and CSV): `adoptions()` loads only them (`.only()`), and `fingerprint()` hashes only
them and the aliases a retirement moved to a row (`COLUMNS`), for the same in-force rows (one
`now`). A renderer that reads a column outside `FIELDS` costs a query
per row, which the tests pin; so the ETag cannot miss a column the body shows.
"""

import functools
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import MD5, Cast
from django.http import HttpResponseBase
from django.utils import timezone

from accounts.authentication import Rider, TokenAuthentication
from accounts.models import BusinessUnit
from catalog.litellm_config import EXPORT_FIELDS, INHERITED, with_inherited
from catalog.models import Adoption

Answer = TypeVar("Answer", bound=HttpResponseBase)

# The JSON's columns, then the LiteLLM exports' (catalog.litellm_config), each once.
FIELDS = tuple(
    dict.fromkeys(
        (
            "id",
            "unit__slug",
            "use_case",
            "approved_at",
            "expires_at",
            "expected_monthly_input_tokens",
            "expected_monthly_output_tokens",
            "expected_cache_share",  # with the cache-read price, read by the forecast
            "model__cache_read_price_per_mtok",
            "model__slug",
            "model__name",
            *EXPORT_FIELDS,
        )
    )
)
# What the fingerprint hashes: the columns and the aliases moved to a row at a retirement.
COLUMNS = (*FIELDS, INHERITED)
ORDER = ("model__name", "id")
# Bump when the allow-list's rendering changes (a field, a format): the ETags of unchanged rows
# then change too, so no client keeps a body of the old shape.
ETAG_VERSION = "allow-list 2"


def adoptions(unit_id: int | OuterRef | Subquery, now: datetime) -> QuerySet[Adoption]:
    """What the unit may call at `now` (the in-force rule), with only the rendered columns."""
    rows = (
        Adoption.objects.callable_now(now)
        .filter(unit_id=unit_id)
        .select_related("unit", "model__vendor", "model__successor")
        .only(*FIELDS)
        .order_by(*ORDER)
    )
    return with_inherited(rows, now)


def fingerprint(unit_slug: str, now: datetime) -> tuple[int | None, str]:
    """The unit's id (None: no such unit) and a hash of the rendered columns of
    `adoptions(unit, now)`, in their order, in one query.

    On PostgreSQL the database hashes the rows (`rows_digest()`), so none travel, and the
    statement is compiled once per process; elsewhere the same columns are fetched and hashed
    here.
    """
    if connection.vendor != "postgresql":
        units = BusinessUnit.objects.filter(slug=unit_slug).values("pk")
        rows = list(adoptions(Subquery(units), now).values_list("unit_id", *COLUMNS))
        digest = hashlib.md5(repr([row[1:] for row in rows]).encode(), usedforsecurity=False)
        # The unit's id rides on its rows; only an empty allow-list asks for it apart.
        unit_id = rows[0][0] if rows else units.values_list("pk", flat=True).first()
        return unit_id, digest.hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(*_fingerprint_query(unit_slug, now))
        return _read(cursor.fetchone())


def etag(fingerprint: str, *, renderer: str, media_type: str, uri: str) -> str:
    """The ETag of an allow-list body: the fingerprint of its in-force rows' rendered columns,
    with all else its bytes depend on (the renderer and the media type it answers, with their
    parameters; the full URL, every query parameter; this code's version)."""
    parts = (ETAG_VERSION, renderer, media_type, uri, fingerprint)
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f'"{digest[:32]}"'


def with_cache_headers(response: Answer, etag: str) -> Answer:
    """An allow-list answer's ETag, and its caching: a gateway keeps the body and asks again
    each time, with the ETag."""
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


class PollAuthentication(TokenAuthentication):
    """Token authentication that reads the unit's fingerprint in the token's statement: a
    gateway's poll asks PostgreSQL once. `fingerprint` is what `fingerprint()` returns, for
    the same unit and `now`, once the token is accepted."""

    def __init__(self, unit_slug: str, now: datetime) -> None:
        self.rider = Rider(*_fingerprint_query(unit_slug, now))

    @property
    def fingerprint(self) -> tuple[int | None, str]:
        return _read(self.rider_row)


def poll_authentication(unit_slug: str, now: datetime) -> PollAuthentication | None:
    """The poll's authentication, or None where its SQL (a lateral join, `md5`) does not run:
    off PostgreSQL."""
    return PollAuthentication(unit_slug, now) if connection.vendor == "postgresql" else None


def _fingerprint_query(unit_slug: str, now: datetime) -> tuple[str, tuple[Any, ...]]:
    sql, params = _fingerprint_sql()
    actual = {_NOW: now, _TODAY: timezone.localdate(now), _SLUG: unit_slug}
    return sql, tuple(actual.get(param, param) for param in params)


def _read(row: tuple[Any, ...] | None) -> tuple[int | None, str]:
    """(unit id, digest) from the fingerprint's row: no row or a NULL id is no such unit."""
    if row is None or row[0] is None:
        return None, "empty"
    return row[0], row[1] or "empty"


@contextmanager
def snapshot() -> Iterator[None]:
    """The queries inside read one state of the database: a REPEATABLE READ transaction on
    PostgreSQL (a transaction on SQLite); inside a caller's transaction, the caller's."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


# Stand-ins for a request's unit and time while the fingerprint query compiles: no real
# parameter can equal them, and `_fingerprint_sql` checks each one is found.
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_TODAY = date(1901, 2, 3)
_SLUG = " no slug has spaces "


def rows_digest() -> MD5:
    """The rows' fingerprint in PostgreSQL: each row's `COLUMNS` hashed on their values by
    their types' own 64-bit hash functions (`hash_record_extended`; casting the row to text,
    timestamps and all, took 0.09 ms more of a poll's 0.7 ms statement), in `ORDER`, then MD5
    over the sequence."""
    row = Func(*(F(name) for name in COLUMNS), function="ROW", output_field=TextField())
    hashed = Func(row, Value(0), function="hash_record_extended", output_field=BigIntegerField())
    return MD5(StringAgg(Cast(hashed, TextField()), "|", order_by=[F(n) for n in ORDER]))


@functools.cache
def _fingerprint_sql() -> tuple[str, tuple[Any, ...]]:
    """The unit by slug with `adoptions()` for the stand-ins reduced to `rows_digest()`: the
    ORM compiles it (≈ 2 ms of Python) once, each request only swaps the stand-ins for its
    own."""
    rows = adoptions(OuterRef("pk"), _NOW).order_by().values(one=Value(1))
    rows = rows.annotate(digest=rows_digest())
    unit = BusinessUnit.objects.filter(slug=_SLUG).annotate(digest=Subquery(rows.values("digest")))
    sql, params = unit.values_list("pk", "digest").query.sql_with_params()
    for stand_in in (_NOW, _TODAY, _SLUG):
        if stand_in not in params:
            raise ImproperlyConfigured(f"allow-list fingerprint: {stand_in!r} not a parameter")
    return sql, tuple(params)

"""The model list's page statement, compiled once per distinct request.

Building a list call's querysets (the filterset, its slug lookups, the annotated rows, the
page) and compiling them cost about a quarter of the call. For one set of query parameters
the SQL is always the same while today's date (the lifecycle filter) and what the slugs name
(a vendor or specialty slug becomes an id) are: so each process keeps the page's SQL under
the parameters and today's date, with the catalog generation (`catalog.counts`) it was
compiled under and the count it was cut at, both checked on reuse in the one cache round trip
the count takes anyway. Only SQL is kept: every call reads its rows fresh. A statement that
carries a moment (the in-force rule of `business_unit` compares with `now`) is never kept.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.request import Request

from catalog.counts import CachedCountPaginator, count_key, count_with_generation

KEPT = 512  # distinct parameter sets per process; the least recently used goes first

Key = tuple[date, tuple[tuple[str, tuple[str, ...]], ...]]


@dataclass(frozen=True)
class CompiledPage:
    sql: str
    params: tuple[Any, ...]
    columns: tuple[str, ...]  # the `.values()` names, in the SELECT's order
    counted: QuerySet[Any]  # for a recount, when the cached count expires
    count_key: str
    count: int
    generation: int
    number: int
    size: int


_kept: OrderedDict[Key, CompiledPage] = OrderedDict()
_lock = threading.Lock()


def request_key(request: Request) -> Key:
    params = tuple(sorted((name, tuple(values)) for name, values in request.query_params.lists()))
    return timezone.localdate(), params


def keep(key: Key, page: Page[Any], counted: QuerySet[Any]) -> int | None:
    """Keep the statement of `page` (its rows just read, counted on `counted` by a
    `CachedCountPaginator`) for `key`; the catalog generation it was read at, or None when it
    cannot be kept."""
    paginator = page.paginator
    assert isinstance(paginator, CachedCountPaginator)
    if connection.vendor != "postgresql" or paginator.generation < 0 or not paginator.count:
        return None
    bottom, top = page.start_index() - 1, page.end_index()  # the slice `paginator.page` read
    query = paginator.object_list[bottom:top].query
    sql, params = query.sql_with_params()
    if any(isinstance(p, datetime) for p in params):
        return None  # a moment: the same parameters mean another statement a moment later
    found_key = count_key(counted)
    if found_key is None:
        return None
    compiled = CompiledPage(
        sql=sql,
        params=tuple(params),
        columns=(*query.extra_select, *query.values_select, *query.annotation_select),
        counted=counted,
        count_key=found_key,
        count=paginator.count,
        generation=paginator.generation,
        number=page.number,
        size=paginator.per_page,
    )
    with _lock:
        _kept[key] = compiled
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return compiled.generation


def reuse(key: Key) -> tuple[CompiledPage, list[dict[str, Any]]] | None:
    """The kept statement for `key` and its rows read now, if the catalog and the count are
    still those it was compiled under; else None (and it is dropped)."""
    with _lock:
        compiled = _kept.get(key)
        if compiled is not None:
            _kept.move_to_end(key)
    if compiled is None:
        return None
    count, generation = count_with_generation(compiled.counted, compiled.count_key)
    if (count, generation) != (compiled.count, compiled.generation):
        with _lock:
            _kept.pop(key, None)
        return None
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params)
        rows = [dict(zip(compiled.columns, row, strict=True)) for row in cursor.fetchall()]
    return compiled, rows


def forget() -> None:
    """Drop every kept statement (tests)."""
    with _lock:
        _kept.clear()

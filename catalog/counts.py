"""Row counts of large catalog lists, cached: COUNT(*) reads every matching row, so at 100,000
models it costs more than the page itself (19 ms unfiltered on PostgreSQL 15). Other values
derived from the whole catalog (the page's filter choices) are cached the same way.

A count is cached under the SQL that computes it (filters, parameters and today's date for the
lifecycle filter included) and the catalog's generation, which every save, delete and
specialty change of a model, vendor, specialty or adoption bumps; bulk writers call
`catalog_changed()`. A write that does neither (a raw `.update()`) shows in counts within TTL
seconds. The model list's whole answers are kept under the same generation
(`catalog.api.list_answers`).
"""

import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import cached_property

GENERATION_KEY = "catalog:generation"
TTL = 60

T = TypeVar("T")


def catalog_changed() -> None:
    """Invalidate every cached count, filter choice and list answer once the write commits
    (at once outside a transaction), so that nothing cached from the state before it survives;
    inside a transaction also now, so that its own later reads (and a test's, whose
    transaction never commits) miss them."""
    if transaction.get_connection().in_atomic_block:
        _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted)
        _start_generation()


def _start_generation() -> None:
    """A new generation after none (a flushed or restarted cache): a number no earlier one
    took, so nothing kept under an old one (a process's list answers) is ever taken for it."""
    cache.add(GENERATION_KEY, time.time_ns(), None)


def current_generation() -> int:
    """The catalog's generation now: one cache read."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        _start_generation()
        generation = cache.get(GENERATION_KEY, 0)
    return int(generation)


def count_key(queryset: QuerySet[Any]) -> str | None:
    """The cache key of `queryset`'s count (None: it can match nothing). Only the rows it
    selects matter, so the key is compiled from its ids, unordered (cheaper than every column)."""
    try:
        sql, params = queryset.values("pk").order_by().query.sql_with_params()
    except EmptyResultSet:  # `.none()`, or a filter that can match nothing
        return None
    return "catalog:count:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()


def count_with_generation(queryset: QuerySet[Any], key: str | None = None) -> tuple[int, int]:
    """`queryset.count()` from the cache while the catalog has not changed, and the catalog
    generation it is true of; `key` is `count_key(queryset)` when the caller has it."""
    key = key or count_key(queryset)
    if key is None:
        return queryset.count(), -1  # 0 without a query; no generation vouches for it
    return generation_cached(key, queryset.count)


def cached_count(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, from the cache while the catalog has not changed."""
    return count_with_generation(queryset)[0]


def generation_cached(key: str, build: Callable[[], T]) -> tuple[T, int]:
    """`build()`, from the cache under `key` while the catalog has not changed, and the
    generation it is true of: one round trip on a hit. A write committed while `build` runs
    leaves its value under the older generation, so the next call rebuilds."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = current_generation()
    hit = found.get(key)
    if hit is not None and hit[0] == generation:
        return hit[1], generation
    value = build()
    cache.set(key, (generation, value), TTL)
    return value, generation


class CachedCountPaginator(Paginator[Any]):
    """Pages of `object_list` (rows with their joins), counted on `counted` (the bare filtered
    table, no joins) through the count cache."""

    object_list: QuerySet[Any]

    def __init__(
        self, object_list: QuerySet[Any], per_page: int, *, counted: QuerySet[Any]
    ) -> None:
        super().__init__(object_list, per_page)
        self.counted = counted

    generation = -1  # the catalog generation `count` is true of, once read

    @cached_property
    def count(self) -> int:
        count, self.generation = count_with_generation(self.counted)
        return count


def _changed(**kwargs: Any) -> None:
    catalog_changed()


def connect() -> None:
    """Bump the generation on every write that can change what a catalog list counts."""
    from catalog.models import Adoption, AIModel, Specialty, Vendor

    for model in (AIModel, Vendor, Specialty, Adoption):
        post_save.connect(_changed, sender=model, dispatch_uid=f"counts-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"counts-del-{model.__name__}")
    m2m_changed.connect(
        _changed, sender=AIModel.specialties.through, dispatch_uid="counts-specialties"
    )

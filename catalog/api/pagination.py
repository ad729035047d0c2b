from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from catalog.api import compiled_pages
from catalog.counts import CachedCountPaginator

MAX_PAGE_SIZE = 500
MAX_DIGITS = 9  # longer numbers are refused before int() sees them
PARAMETER_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 10**MAX_DIGITS - 1}
PAGE_SIZE_TEXT = f"Rows per page (default 50; above {MAX_PAGE_SIZE}, {MAX_PAGE_SIZE})."
# For operations drf-spectacular does not see as lists (they can also answer one object).
PAGE_PARAMETERS = [
    OpenApiParameter("page", PARAMETER_SCHEMA, description="Page number."),
    OpenApiParameter("page_size", PARAMETER_SCHEMA, description=PAGE_SIZE_TEXT),
]


def _positive_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > MAX_DIGITS or int(raw) < 1:
        raise ValidationError({name: [f"must be a whole number from 1 (got {raw[:30]!r})"]})
    return int(raw)


class Pagination(PageNumberPagination):
    """{count, next, previous, results}; callers may ask for up to 500 rows a page.

    A malformed `page` or `page_size` is a 400 naming it; a page past the end stays a 404 and
    a page size above 500 is capped.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        """Both parameters are whole numbers of 1 to 9 digits, as `_positive_int` enforces;
        sizes above 500 are capped, not refused."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(PARAMETER_SCHEMA)
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = PAGE_SIZE_TEXT
        return parameters

    def get_page_size(self, request: Request) -> int:
        size = _positive_int(request, self.page_size_query_param)
        return min(size, MAX_PAGE_SIZE) if size else self.page_size

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        _positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)


class CountedPaginator(Paginator[Any]):
    """A paginator told its count."""

    def __init__(self, per_page: int, count: int) -> None:
        super().__init__([], per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


class CachedCountPagination(Pagination):
    """`Pagination` whose `paginate_rows` reads rows from one queryset and counts another,
    keeping the page's statement for the same parameters (`compiled_pages`)."""

    counted: QuerySet[Any] | None = None
    # The catalog generation the page read is true of, when its statement is kept (and so
    # the answer may be: `list_answers`); None otherwise.
    kept_generation: int | None = None

    def paginate_rows(
        self,
        rows: QuerySet[Any],
        counted: QuerySet[Any],
        request: Request,
        view: APIView,
        *,
        key: compiled_pages.Key | None = None,
    ) -> list[Any] | None:
        self.counted = counted
        page = self.paginate_queryset(rows, request, view)
        if key is not None and page is not None:
            self.kept_generation = compiled_pages.keep(key, self.page, counted)  # type: ignore[arg-type]  # a page was read
        return page

    def reuse(self, key: compiled_pages.Key, request: Request) -> list[Any] | None:
        """The page for a kept statement (None: none is kept, or it no longer holds)."""
        reused = compiled_pages.reuse(key)
        if reused is None:
            return None
        compiled, rows = reused
        self.kept_generation = compiled.generation
        self.request = request
        self.page = Page(rows, compiled.number, CountedPaginator(compiled.size, compiled.count))
        return rows

    def django_paginator_class(self, object_list: QuerySet[Any], per_page: int) -> Paginator[Any]:  # type: ignore[override]  # a method for DRF's class attribute
        if self.counted is None:  # a plain `paginate_queryset` (a model's ledger, its checks)
            return Paginator(object_list, per_page)
        return CachedCountPaginator(object_list, per_page, counted=self.counted)

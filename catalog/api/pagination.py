from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

MAX_PAGE_SIZE = 500


def _positive_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
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

    def get_page_size(self, request: Request) -> int:
        size = _positive_int(request, self.page_size_query_param)
        return min(size, MAX_PAGE_SIZE) if size else self.page_size

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list | None:
        _positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

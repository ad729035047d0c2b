"""Refuse NUL characters at the door: PostgreSQL can neither store nor compare text holding
them, so a `%00` in a query parameter or a form field would otherwise reach a query and end
as a 500. One check for every page and API view, answering 400 with the field's name."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.html import format_html

from catalog.views.errors import wants_json

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def nul_field(params: QueryDict) -> str | None:
    """The first parameter whose name or any value holds a NUL, or None."""
    for name, values in params.lists():
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "\\0")
    return None


class RefuseNulMiddleware:
    """400 for NUL in the query string or form data, 404 for NUL in the path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path:
            return _refuse(request, 404, None, "Not found.")
        field = nul_field(request.GET)
        if field is None and request.content_type in FORM_TYPES:
            field = nul_field(request.POST)
        if field is not None:
            return _refuse(request, 400, field, "Null characters are not allowed.")
        return self.get_response(request)


def _refuse(request: HttpRequest, status: int, field: str | None, message: str) -> HttpResponse:
    if wants_json(request):
        body = {field: [message]} if field else {"detail": message}
        return JsonResponse(body, status=status)
    page = format_html(
        '<!doctype html><html lang="en"><title>Bad request</title><h1>Bad request</h1>'
        '<p role="alert"><strong>{}</strong>: {}</p><p><a href="/">Back to the catalog</a></p>',
        field or "path",
        message,
    )
    return HttpResponse(page, status=status)


class FriendlyNotFoundMiddleware:
    """A page view's 404 renders our page in every mode: with DEBUG on, Django would show its
    technical 404 (URL patterns and all) to someone who merely lacks a role. API paths keep
    their JSON answer from the handler."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and not wants_json(request):
            return render(request, "404.html", status=404)
        return None

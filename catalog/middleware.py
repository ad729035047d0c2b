"""Refuse NUL characters at the door: PostgreSQL can neither store nor compare text holding
them, so a `%00` in a query parameter or a form field would otherwise reach a query and end
as a 500. One check for every page and API view, answering 400 with the field's name."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve

from catalog.views.errors import server_error, wants_json

log = logging.getLogger("django.request")
NUL = "\x00"
# Exceptions Django answers with 400, 403 or 404 in every mode: not errors of ours.
EXPECTED = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
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
    if status == 404:  # a NUL in the path: no such page, said as on every other 404
        return render(request, "404.html", status=404)
    return render(request, "400.html", {"field": field, "message": message}, status=status)


class FriendlyNotFoundMiddleware:
    """A page view's 404 renders our page in every mode: with DEBUG on, Django would show its
    technical 404 (URL patterns and all) to someone who merely lacks a role. API paths keep
    their JSON answer from the handler."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # With DEBUG on, an address no URL pattern matches would get the technical 404 that
        # lists every pattern (it never reaches process_exception): answer it here instead.
        if settings.DEBUG:
            try:
                resolve(request.path_info)
            except Resolver404:
                if wants_json(request):
                    return JsonResponse({"detail": "Not found."}, status=404)
                return render(request, "404.html", status=404)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and not wants_json(request):
            return render(request, "404.html", status=404)
        if settings.DEBUG and not isinstance(exception, EXPECTED):
            # `make run` is what newcomers see: our page (503 for a database outage, as
            # without DEBUG), the traceback in the console. Called inside Django's except
            # block, so the handler still finds the exception in sys.exc_info().
            log.error("Internal Server Error: %s", request.path, exc_info=exception)
            return server_error(request)
        return None

"""Error answers: API paths get JSON in DRF's shape, pages get HTML. A database that is briefly
unreachable (a restart, a failover) is a 503 with Retry-After, not a storm of 500s; the next
request reconnects by itself."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

RETRY_AFTER_SECONDS = 5


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this while handling the uncaught exception, so it is still in sys.exc_info."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        message = "The catalog database is unavailable; retry in a few seconds."
        if wants_json(request):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                f"<h1>Modelshelf is briefly unavailable</h1><p>{message}</p>", status=503
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)

"""Domain errors become DRF's error shape: {"detail": …} with the right status, never a 500."""

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict, InvalidRequest


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, InvalidRequest):
        body = {exc.field: [str(exc)]} if exc.field else {"detail": str(exc)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # Django's own answer would be an HTML 400 page: the API answers in its shape.
        detail = (
            "The request body is larger than the upload limit."
            if isinstance(exc, RequestDataTooBig)
            else "The request has too many fields."
        )
        return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        names = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        return Response(
            {"detail": f"still referenced by {', '.join(names)}; retire it instead of deleting"},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)

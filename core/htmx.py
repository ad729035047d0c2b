"""One place decides whether a request gets the whole page or just a fragment (NetBox-style)."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request wants a fragment, except a history restore, which rebuilds the page."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    fragment: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Render `fragment` for htmx swaps and `template` otherwise, from one URL.

    `Vary: HX-Request` keeps caches (browser back/forward cache included) from serving a
    fragment where the full page belongs.
    """
    name = fragment if wants_fragment(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response

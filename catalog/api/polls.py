"""A gateway's poll of its unit's allow-list, answered before the rest of the stack.

Two thousand gateways polling every 10 s are 200 requests a second, and nearly every answer is
a 304. Through the whole stack, most of that answer's time goes to code with nothing to decide
for it: a dozen middleware, URL resolution, DRF's request, content negotiation and dispatch.
`AllowListPollMiddleware`, placed right after the security headers' middleware, answers the
polls whose answer it knows to be the view's 304, with the view's own parts: its token lookup
with the fingerprint riding along (`allow_list.PollAuthentication`), its ETag, its permissions
and throttles, its headers. JSON and both LiteLLM formats are answered so (the ETag covers the
full URL, so a page or a team is its own); any other request goes down the stack untouched, and
so does any poll it cannot answer so (a changed allow-list, a bad token, a refused throttle, an
Accept or a format the view renders otherwise, a database that does not answer): the view
answers those as it always did. A refused throttle counts nothing, so the view's own ask sees
what this one saw.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from redis.exceptions import RedisError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.renderers import BaseRenderer, JSONRenderer

from catalog.api import allow_list
from catalog.api.renderers import LiteLLMRenderer, LiteLLMTeamRenderer
from catalog.api.units import BusinessUnitViewSet

# The renderers whose ETag the view computes before rendering (`allow_list_etag`), by the
# `format` parameter that picks them; the browsable API and CSV go the stack's way.
RENDERERS = {r.format: r for r in (JSONRenderer, LiteLLMRenderer, LiteLLMTeamRenderer)}
# The view's own headers on every answer (DRF's `APIView.default_response_headers`, the
# action being GET only), and CommonMiddleware's length; XFrameOptionsMiddleware's is a setting.
HEADERS = {
    "Allow": "GET, HEAD, OPTIONS",
    "Vary": "Accept",
    "Content-Length": "0",
}
_SLUG = "-slug-"  # where the unit's slug goes in the reversed URL


class AllowListPollMiddleware:
    """304 for a token's poll of an unchanged allow-list; the stack for everything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        prefix, suffix = reverse("businessunit-models", kwargs={"slug": _SLUG}).split(_SLUG)
        lookup = BusinessUnitViewSet.lookup_value_regex
        # The router's pattern: with or without the trailing slash.
        self.path = re.compile(
            rf"{re.escape(prefix)}(?P<slug>{lookup}){re.escape(suffix.rstrip('/'))}/?"
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self._not_modified(request) or self.get_response(request)

    def _not_modified(self, request: HttpRequest) -> HttpResponseBase | None:
        if request.method != "GET" or "HTTP_IF_NONE_MATCH" not in request.META:
            return None
        path = self.path.fullmatch(request.path_info)
        if path is None:
            return None
        # The renderer and media type the view's negotiation settles on, for an Accept of none,
        # anything, or the renderer's own type.
        renderer = RENDERERS.get(request.GET.get("format", JSONRenderer.format))
        if renderer is None or request.META.get("HTTP_ACCEPT") not in (
            None,
            "*/*",
            renderer.media_type,
        ):
            return None
        try:
            return self._answer(request, path["slug"], renderer)
        except (AuthenticationFailed, DatabaseError, DisallowedHost, RedisError):
            return None

    def _answer(
        self, request: HttpRequest, slug: str, renderer: type[BaseRenderer]
    ) -> HttpResponseBase | None:
        """The 304, once the token, the ETag, the permissions and the throttles agree."""
        poll = allow_list.poll_authentication(slug, timezone.now())
        if poll is None:  # off PostgreSQL: the view's two queries
            return None
        signed = poll.authenticate(request)  # type: ignore[arg-type]  # reads META only
        if signed is None:  # no token: a session's poll
            return None
        unit_id, fingerprint = poll.fingerprint
        if unit_id is None:
            return None
        etag = allow_list.etag(
            fingerprint,
            renderer=renderer.format,
            media_type=renderer.media_type,
            uri=request.build_absolute_uri(),
        )
        if not isinstance(get_conditional_response(request, etag=etag), HttpResponseNotModified):
            return None
        request.user = signed[0]
        view = BusinessUnitViewSet(action="models", kwargs={"slug": slug}, request=request)
        if not all(p.has_permission(request, view) for p in view.get_permissions()):  # type: ignore[arg-type]  # as DRF's request, for these
            return None
        if not all(t.allow_request(request, view) for t in view.get_throttles()):  # type: ignore[arg-type]  # as above
            return None
        response = allow_list.with_cache_headers(HttpResponseNotModified(), etag)
        for header, value in HEADERS.items():
            response[header] = value
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        return response

"""The Content-Security-Policy header, built once.

django-csp's middleware builds the policy, and the report-only one, from settings on every
response, so that a view may change it or ask for a nonce; that is most of what a 304 of the
allow-list spends in middleware. The site has neither (no inline script or style anywhere, see
`CONTENT_SECURITY_POLICY`), so the headers are built once, by django-csp's own builder, and
again only when the setting changes (a test's override).
"""

import functools
from collections.abc import Callable
from http import HTTPStatus

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# With DEBUG on, Django's own 404 and 500 pages carry inline styles: left without a policy,
# as django-csp leaves them.
DEBUG_PAGES = (HTTPStatus.NOT_FOUND, HTTPStatus.INTERNAL_SERVER_ERROR)


@functools.cache
def policy_headers() -> tuple[tuple[str, str], ...]:
    """(header, policy) for the enforced policy and the report-only one, where configured."""
    policies = ((HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True)))
    return tuple((header, policy) for header, policy in policies if policy)


@receiver(setting_changed)
def _policy_changed(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        policy_headers.cache_clear()


class ContentSecurityPolicyMiddleware:
    """Every response gets the site's policy unless it set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in DEBUG_PAGES:
            return response
        for header, policy in policy_headers():
            if header not in response:
                response[header] = policy
        return response

"""Sign-in pages: the login form (with "Sign in with SSO"), the OIDC round trip, and logout."""

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.oidc import SsoRefused, SsoUnavailable, oidc_setting, sso_enabled

logger = logging.getLogger("accounts.sso")


def sso_failed(request: HttpRequest, reason: str, *, status: int = 400) -> HttpResponse:
    """A page that says sign-in did not happen and why, with a way back."""
    response = render(request, "registration/sso_failed.html", {"reason": reason}, status=status)
    response["Cache-Control"] = "no-store"
    return response


class LoginView(auth_views.LoginView):
    """The password form unless LOCAL_LOGIN is off, and the SSO button when SSO is on."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": sso_enabled(),
            "local_login": settings.LOCAL_LOGIN,
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.LOCAL_LOGIN:
            return sso_failed(request, "Password sign-in is turned off here.", status=403)
        return super().post(request, *args, **kwargs)


class SsoStartView(OIDCAuthenticationRequestView):  # type: ignore[misc]  # mozilla-django-oidc is untyped
    """Redirects to the provider with state, nonce and a PKCE challenge kept in the session."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoint is looked up per request, not at import

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SsoUnavailable as exc:
            logger.error("sso unavailable: %s", exc)
            return sso_failed(request, "The sign-in service cannot be reached.", status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)  # type: ignore[no-any-return]  # untyped base


class SsoCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # as above
    """The provider's answer. Every refusal is a page that says why, and a log line."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        self.reason = "the identity provider did not sign you in"
        if request.GET.get("error"):
            self.reason = f"the identity provider answered: {request.GET['error']}"[:200]
        elif "state" not in request.GET or "code" not in request.GET:
            self.reason = "the answer from the identity provider is incomplete"
        elif "oidc_states" not in request.session:
            self.reason = "this sign-in was not started here (or the session expired)"
        try:
            return super().get(request)  # type: ignore[no-any-return]  # untyped base
        except SuspiciousOperation as exc:
            # Wrong or reused state, nonce mismatch.
            return self.refuse(request, "this sign-in answer does not match one started here", exc)
        except SsoRefused as exc:
            return self.refuse(request, str(exc), exc)
        except SsoUnavailable as exc:
            return self.refuse(request, "the sign-in service cannot be reached", exc, status=503)
        except requests.RequestException as exc:
            # The provider refused the code (used already, expired, issued to another app).
            return self.refuse(request, "the identity provider refused this sign-in code", exc)

    def refuse(
        self, request: HttpRequest, reason: str, exc: Exception, *, status: int = 400
    ) -> HttpResponse:
        logger.warning("sso sign-in refused: %s (%s: %s)", reason, type(exc).__name__, exc)
        return sso_failed(request, f"Sign-in refused: {reason}.", status=status)

    def login_failure(self) -> HttpResponse:
        logger.warning("sso sign-in failed: %s", self.reason)
        return sso_failed(self.request, f"Sign-in failed: {self.reason}.")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Ends the session here and, when the provider advertises it, there too."""
    id_token = request.session.get("oidc_id_token")
    target = resolve_url(settings.LOGOUT_REDIRECT_URL)
    if id_token and sso_enabled():
        target = _end_session_url(request, id_token) or target
    auth.logout(request)
    return HttpResponseRedirect(target)


def _end_session_url(request: HttpRequest, id_token: str) -> str | None:
    try:
        endpoint = oidc_setting("OIDC_OP_END_SESSION_ENDPOINT", None)
    except SsoUnavailable as exc:
        logger.warning("sso logout at the provider skipped: %s", exc)
        return None
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "id_token_hint": id_token,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

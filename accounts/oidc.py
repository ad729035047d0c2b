"""OpenID Connect sign-in through mozilla-django-oidc, configured by environment variables.

The provider's endpoints come from its discovery document, fetched at the first sign-in and
cached. ID tokens are checked for signature, issuer, audience, expiry and subject; anything
the provider sends that fails a check refuses the sign-in with a page saying why, and is
logged. Users are found by `sub`, never by e-mail.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from accounts.idp_roles import (
    ClaimsError,
    GroupMapping,
    IdpRoles,
    roles_from_claims,
    roles_sync,
    subject_from_claims,
    units_with_groups,
)
from accounts.models import RoleChange, User

logger = logging.getLogger("accounts.sso")

DISCOVERY_TTL_SECONDS = 3600
CLOCK_LEEWAY_SECONDS = 30
# mozilla-django-oidc setting name → discovery document field.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_END_SESSION_ENDPOINT": "end_session_endpoint",
}
REQUIRED_FIELDS = ("authorization_endpoint", "token_endpoint", "jwks_uri")

_discovery: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


class SsoUnavailable(Exception):
    """The identity provider cannot be reached or describes itself wrongly."""


class SsoRefused(Exception):
    """The provider's answer for this sign-in cannot be trusted; the message says why."""


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_metadata() -> dict[str, Any]:
    """The issuer's discovery document, cached per process for an hour."""
    issuer = settings.OIDC_ISSUER
    with _discovery_lock:
        cached = _discovery.get(issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoUnavailable(f"could not read {url}: {exc}") from exc
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        raise SsoUnavailable(f"{url} does not describe the issuer {issuer}")
    if not all(isinstance(document.get(name), str) for name in REQUIRED_FIELDS):
        raise SsoUnavailable(f"{url} lacks one of {', '.join(REQUIRED_FIELDS)}")
    with _discovery_lock:
        _discovery[issuer] = (time.monotonic() + DISCOVERY_TTL_SECONDS, document)
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, with the provider's endpoints taken from discovery
    unless a setting names one explicitly."""
    if attr in DISCOVERED and not hasattr(settings, attr):
        value = provider_metadata().get(DISCOVERED[attr])
        return value if isinstance(value, str) else (default[0] if default else None)
    return import_from_settings(attr, *default)


def _username_for(claims: Mapping[str, Any], sub: str) -> str:
    """A readable username; taken names get a stable suffix from `sub` rather than being
    shared (a username is never a way into an existing account)."""
    wanted = claims.get("preferred_username") or str(claims.get("email") or "").split("@")[0]
    base = "".join(c for c in str(wanted) if c.isalnum() or c in "@.+-_")[:120] or "user"
    if not User.objects.filter(username=base).exists():
        return base
    return f"{base}-{hashlib.sha256(sub.encode()).hexdigest()[:8]}"


def _text(claims: Mapping[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return value[:limit] if isinstance(value, str) else ""


class SsoBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # mozilla-django-oidc is untyped
    """mozilla-django-oidc's code flow with strict ID-token checks and users keyed on `sub`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No network here: Django builds every backend for each password login too.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    get_settings = staticmethod(oidc_setting)

    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        """Only the callback view's call (it passes the nonce) is a sign-in attempt: a password
        form posted to a URL with `?code=…&state=…` must not reach the provider."""
        if "nonce" not in kwargs or not sso_enabled():
            return None
        return super().authenticate(request, **kwargs)  # type: ignore[no-any-return]  # untyped base

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 (the library's name)
        return oidc_setting("OIDC_OP_TOKEN_ENDPOINT")  # type: ignore[no-any-return]  # a setting

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str | None:  # noqa: N802
        return oidc_setting("OIDC_OP_USER_ENDPOINT", None)  # type: ignore[no-any-return]  # a setting

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return oidc_setting("OIDC_OP_JWKS_ENDPOINT")  # type: ignore[no-any-return]  # a setting

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """The provider's signing key for this token: by `kid` when the token names one (not
        all providers do), else its only RSA signing key. A key set that cannot be read
        refuses the sign-in instead of failing with a 500."""
        try:
            header = jwt.get_unverified_header(token)
            response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            keys = response.json()["keys"]
            candidates = [
                key
                for key in keys
                if key.get("kty") == "RSA"
                and key.get("use", "sig") == "sig"
                and key.get("alg", header.get("alg")) == header.get("alg")
                and ("kid" not in header or key.get("kid") == header["kid"])
            ]
            if len(candidates) != 1:
                raise SsoRefused("the provider's signing key for this token cannot be found")
            return jwt.PyJWK(candidates[0])
        except (jwt.PyJWTError, requests.RequestException, ValueError, LookupError) as exc:
            raise SsoRefused(f"the provider's signing keys cannot be read ({exc})") from exc
        except (TypeError, AttributeError) as exc:  # a key set of the wrong shape
            raise SsoRefused("the provider's signing keys cannot be read") from exc

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """Signature, issuer, audience and expiry: the library checks only the signature."""
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SsoRefused("the sign-in token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise SsoRefused("the sign-in token was issued to another application") from exc
        except jwt.InvalidIssuerError as exc:
            raise SsoRefused("the sign-in token comes from another identity provider") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise SsoRefused(f"the sign-in token has no '{exc.claim}' claim") from exc
        except jwt.PyJWTError as exc:
            raise SsoRefused(f"the sign-in token could not be verified ({exc})") from exc

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint when there is one (Entra
        ID puts groups only in the token, others only in userinfo)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
                raise SsoRefused("the provider's userinfo answer is for another subject")
            claims.update(userinfo)
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """Everything is checked before the first write; the writes are one transaction."""
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            sub = subject_from_claims(claims)
            roles = roles_from_claims(
                claims, mapping=GroupMapping.from_settings(), units=units_with_groups()
            )
        except ClaimsError as exc:
            raise SsoRefused(str(exc)) from exc
        try:
            with transaction.atomic():
                user, changes = self._save_user(sub, claims, roles)
        except IntegrityError as exc:
            # Two first sign-ins of one person at once, or a username taken in between.
            raise SsoRefused("another sign-in changed this account at the same moment") from exc
        for change in changes:
            logger.info(
                "sso role change: %s %s %s (%s)", user, change.action, change.role, change.reason
            )
        return user

    def _save_user(
        self, sub: str, claims: Mapping[str, Any], roles: IdpRoles
    ) -> tuple[User, list[RoleChange]]:
        """Create or refresh the user found by `sub`, then bring their IdP roles in step."""
        user = User.objects.select_for_update().filter(oidc_sub=sub).first()
        if user is None:
            user = User(oidc_sub=sub, username=_username_for(claims, sub))
            user.set_unusable_password()
        elif not user.is_active:
            raise SsoRefused(f"the account {user.username} is deactivated here")
        user.first_name = _text(claims, "given_name", 150) or _text(claims, "name", 150)
        user.last_name = _text(claims, "family_name", 150)
        user.email = _text(claims, "email", 254)
        user.save()
        return user, roles_sync(user=user, roles=roles)

    def get_user(self, user_id: int) -> User | None:
        """A deactivated user's session ends at their next request."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return True  # checked in get_or_create_user, where a refusal can say why

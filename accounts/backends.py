"""Password sign-in, closed when LOCAL_LOGIN is off to everyone but superusers (break-glass)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User


def _password_counts(user: User | None) -> User | None:
    if user is not None and not settings.LOCAL_LOGIN and not user.is_superuser:
        return None
    return user


class PasswordBackend(ModelBackend):
    """Django's password check, but with LOCAL_LOGIN off only a superuser's password counts:
    accounts that predate single sign-on must not keep a password way in (the token endpoint,
    /admin/, any form) after the identity provider removed them."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return _password_counts(user)

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = await super().aauthenticate(request, username=username, password=password, **kwargs)
        return _password_counts(user)

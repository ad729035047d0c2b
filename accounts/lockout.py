"""How django-axes names the account a failed login tried."""

from typing import Any

from django.http import HttpRequest

AXES_USERNAME_COLUMN = 255  # axes.models.AccessBase.username


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username as typed, cut to what the failure record can store. Django's login forms
    pass overlong input on to authentication (they set max_length without a validator), and on
    PostgreSQL the record would then fail to save: a 500 instead of "wrong password"."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return str(username or "").replace("\x00", "")[:AXES_USERNAME_COLUMN]

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

USERNAME_MAX_LENGTH = get_user_model()._meta.get_field("username").max_length


class TokenRequestSerializer(AuthTokenSerializer):
    """A username longer than any account's is refused before authenticating: the failed-login
    record (django-axes) could not store it, and no such user can exist."""

    username = serializers.CharField(
        label="Username", write_only=True, max_length=USERNAME_MAX_LENGTH
    )


class ObtainTokenView(ObtainAuthToken):
    """POST {username, password} → {token}: the one API call that needs no prior auth."""

    # Credentials travel in the body: no session (and so no CSRF check) is involved, which
    # keeps the endpoint usable from a browser that is already logged in.
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    # ObtainAuthToken names DRF's own; api_settings imports the dotted paths the stubs see.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # type: ignore[assignment]  # classes
    serializer_class = TokenRequestSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """POST {username, password} → {token}: the one API call that needs no prior auth.
        With LOCAL_LOGIN off it takes no password (403), not even a superuser's."""
        # Tokens then come from the profile page after single sign-on.
        if not settings.LOCAL_LOGIN:
            raise PermissionDenied("Password sign-in is turned off: sign in with SSO.")
        return super().post(request, *args, **kwargs)

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny


class ObtainTokenView(ObtainAuthToken):
    """POST {username, password} → {token}: the one API call that needs no prior auth."""

    # Credentials travel in the body: no session (and so no CSRF check) is involved, which
    # keeps the endpoint usable from a browser that is already logged in.
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

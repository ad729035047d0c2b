from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny


class ObtainTokenView(ObtainAuthToken):
    """POST {username, password} → {token}: the one API call that needs no prior auth."""

    permission_classes = [AllowAny]

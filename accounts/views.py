"""The profile page: who I am, my units and roles, and my API token."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts.models import Membership, User
from accounts.signed_in import signed_in_user

TOKEN_PREFIX_SHOWN = 6


def profile(request: HttpRequest, *, new_key: str = "") -> HttpResponse:
    """The key is shown in full once, right after it is created; later only its first characters."""
    user = signed_in_user(request)
    token = Token.objects.filter(user=user).first()
    context = {
        "memberships": Membership.objects.filter(user=user)
        .select_related("unit")
        .order_by("unit__name"),
        "token": token,
        "token_hint": token.key[:TOKEN_PREFIX_SHOWN] if token else "",
        "new_key": new_key,
    }
    return render(request, "accounts/profile.html", context)


@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    """Create (or replace) the caller's API token, or revoke it, in one step: simultaneous
    clicks take turns on the user's row, so each replaces the last instead of colliding."""
    user = signed_in_user(request)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).exists()
        Token.objects.filter(user=user).delete()
        if request.POST.get("action") == "revoke":
            messages.success(request, "API token revoked: calls with it now get 401.")
            return redirect("accounts:profile")
        token = Token.objects.create(user=user)
    response = profile(request, new_key=token.key)
    response["Cache-Control"] = "no-store"
    return response

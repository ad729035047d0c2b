"""The signed-in user of a request, typed as our User."""

from django.http import HttpRequest

from accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """`request.user` where sign-in is required (LoginRequiredMiddleware for pages,
    IsAuthenticated for the API), so it is never the AnonymousUser its type allows."""
    user = request.user
    assert isinstance(user, User), "this view is reached only after sign-in"
    return user

"""Sign-in and sign-out, mounted at /accounts/ ahead of django.contrib.auth's own views."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from accounts import sso_views

urlpatterns = [
    path("login/", sso_views.LoginView.as_view(), name="login"),
    path("logout/", login_not_required(sso_views.logout), name="logout"),
    path(
        "oidc/authenticate/",
        login_not_required(sso_views.SsoStartView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(sso_views.SsoCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
]

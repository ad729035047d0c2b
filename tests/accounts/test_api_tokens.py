from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_token_endpoint_trades_credentials_for_a_token(client):
    user = UserFactory(username="dana")
    response = client.post("/api/v1/auth/token/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_token_endpoint_refuses_wrong_password_naming_no_secret(client):
    UserFactory(username="dana")
    response = client.post("/api/v1/auth/token/", {"username": "dana", "password": "nope"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_endpoint_refuses_an_overlong_username_naming_the_field(client):
    """Found by `make fuzz` on PostgreSQL: the failed-login record overflowed its column (500)."""
    response = client.post("/api/v1/auth/token/", {"username": "x" * 300, "password": "nope"})
    assert response.status_code == 400
    assert "150" in response.json()["username"][0]
    assert not AccessAttempt.objects.exists()


def test_create_api_token_prints_the_key_alone_on_the_last_line():
    user = UserFactory(username="dana")
    out = StringIO()
    call_command("create_api_token", "dana", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == Token.objects.get(user=user).key


def test_create_api_token_names_an_unknown_user():
    with pytest.raises(CommandError, match="ghost"):
        call_command("create_api_token", "ghost", stdout=StringIO())


def test_api_without_credentials_is_401_with_a_token_challenge(client):
    response = client.get("/api/v1/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_api_accepts_a_token(client):
    user = UserFactory()
    token = Token.objects.create(user=user)
    response = client.get("/api/v1/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200


def test_token_endpoint_works_from_a_logged_in_browser_session():
    from django.test import Client

    user = UserFactory(username="dana")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post("/api/v1/auth/token/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key

"""The login page with and without SSO, LOCAL_LOGIN=0, logout at the provider, deactivation."""

import os
import subprocess
import sys
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import RoleChange, User
from tests.factories import PASSWORD, BusinessUnitFactory, UserFactory
from tests.oidc import sign_in

pytestmark = pytest.mark.django_db


def test_login_page_without_sso_shows_only_the_password_form(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' in page and "Sign in with SSO" not in page


def test_login_page_with_sso_offers_both(client, sso):
    page = client.get("/accounts/login/?next=/models/").content.decode()
    assert "Sign in with SSO" in page and 'name="password"' in page
    assert "/accounts/oidc/authenticate/?next=/models/" in page


def test_sso_sign_in_returns_to_the_page_asked_for(client, sso):
    sso.set_user("sub-kim")
    authorize = client.get("/accounts/oidc/authenticate/?next=/compare/")["Location"]
    callback = sso.approve(authorize, "sub-kim")
    response = client.get(urlsplit(callback).path + "?" + urlsplit(callback).query)
    assert response["Location"] == "/compare/"


def test_sign_in_asks_for_pkce_and_a_nonce(client, sso):
    query = parse_qs(urlsplit(client.get("/accounts/oidc/authenticate/")["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["nonce"] and query["state"] and query["scope"] == ["openid email profile"]


def test_with_local_login_off_only_sso_is_offered_and_passwords_are_refused(client, sso, settings):
    settings.LOCAL_LOGIN = False
    UserFactory(username="dana")
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with SSO" in page and 'name="password"' not in page
    response = client.post("/accounts/login/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/").status_code == 302


def test_with_local_login_off_a_break_glass_superuser_still_signs_in_at_admin(
    client, sso, settings
):
    settings.LOCAL_LOGIN = False
    User.objects.create_superuser("root", "root@example.com", "break-glass-pass-1")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "break-glass-pass-1", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_logout_ends_the_session_here_and_at_the_provider(client, sso):
    sso.set_user("sub-lou")
    sign_in(client, sso, "sub-lou")
    response = client.post("/accounts/logout/")
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{sso.url}/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["client_id"] == ["modelshelf"] and query["id_token_hint"][0].count(".") == 2
    assert client.get("/").status_code == 302


def test_a_password_user_logs_out_here_only(client):
    client.force_login(UserFactory(username="dana"))
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_a_deactivated_users_api_token_and_sso_session_stop_working_at_once(client, sso):
    sso.set_user("sub-max", preferred_username="max")
    sign_in(client, sso, "sub-max")
    token = Token.objects.create(user=User.objects.get(oidc_sub="sub-max"))
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/models/", **auth).status_code == 200
    assert client.get("/").status_code == 200

    call_command("deactivate_user", "max", stdout=StringIO())
    assert client.get("/").status_code == 302
    assert Client().get("/api/v1/models/", **auth).status_code == 401


def test_deactivate_user_names_an_unknown_user():
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("deactivate_user", "ghost")


def test_unit_idp_groups_are_editable_in_the_admin_and_role_changes_listed(client, sso):
    root = User.objects.create_superuser("root", "r@example.com", "pw-123456789")
    client.force_login(root)
    unit = BusinessUnitFactory(slug="legal", name="Legal")
    page = client.get(f"/admin/accounts/businessunit/{unit.pk}/change/").content.decode()
    assert 'name="idp_member_group"' in page and 'name="idp_manager_group"' in page
    RoleChange.objects.create(
        user=root,
        action="granted",
        role="group approvers",
        reason="granted by IdP group approvers",
    )
    assert (
        "granted by IdP group approvers"
        in client.get("/admin/accounts/rolechange/").content.decode()
    )


def read_settings(expression: str, **env: str) -> subprocess.CompletedProcess:
    """Import the settings module fresh, with only these SSO variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "LOCAL_LOGIN"))}
    return subprocess.run(
        [sys.executable, "-c", f"import modelshelf.settings as s; print({expression})"],
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_issuer_lets_logout_forms_go_on_to_the_provider_under_the_csp():
    result = read_settings(
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']",
        OIDC_ISSUER="https://idp.example.com/realms/acme/",
        OIDC_CLIENT_ID="modelshelf",
    )
    assert result.stdout.strip() == "[\"'self'\", 'https://idp.example.com']"


def test_settings_refuse_sso_without_a_client_id_and_no_way_to_sign_in():
    assert "OIDC_CLIENT_ID must be set" in read_settings("1", OIDC_ISSUER="https://i").stderr
    assert "LOCAL_LOGIN=0 leaves no way" in read_settings("1", LOCAL_LOGIN="0").stderr


def test_with_local_login_off_the_token_endpoint_refuses_passwords(client, sso, settings):
    settings.LOCAL_LOGIN = False
    UserFactory(username="dana")
    User.objects.create_superuser("root", "root@example.com", "break-glass-pass-1")
    for username, password in [("dana", PASSWORD), ("root", "break-glass-pass-1")]:
        response = client.post("/api/v1/auth/token/", {"username": username, "password": password})
        assert response.status_code == 403, username
        assert "token" not in response.json()


def test_with_local_login_off_a_staff_user_who_is_not_a_superuser_cannot_use_admin(
    client, sso, settings
):
    settings.LOCAL_LOGIN = False
    UserFactory(username="stan", is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "stan", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200  # the login form again
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_with_local_login_on_a_staff_user_still_signs_in_at_admin(client, settings):
    settings.LOCAL_LOGIN = True
    UserFactory(username="stan", is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "stan", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"

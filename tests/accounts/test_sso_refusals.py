"""Bad answers from the provider (or a tampered browser) are refused with a page that says why,
leave nothing half-written, and are logged."""

import hashlib
import logging
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.contrib.auth.models import Group

from accounts.idp_roles import ClaimsError
from accounts.models import Membership, RoleChange, User
from accounts.oidc import SsoBackend, SsoRefused
from tests.factories import BusinessUnitFactory
from tests.oidc import finish_sign_in, running_provider, sign_in, start_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.WARNING, logger="accounts.sso")
    return caplog


def assert_refused(response, words: str, logged) -> None:
    assert response.status_code == 400
    text = response.content.decode()
    assert "Sign-in did not complete" in text and words in text
    assert any(words in record.getMessage() for record in logged.records)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return parts._replace(query=urlencode(query)).geturl()


def test_a_wrong_state_is_refused(client, sso, logged):
    callback = sso.approve(start_sign_in(client), "sub-mallory")
    response = finish_sign_in(client, with_query(callback, state="forged-state"))
    assert_refused(response, "does not match one started here", logged)
    assert not User.objects.exists()
    assert client.get("/").status_code == 302


def test_a_callback_never_started_here_is_refused(client, sso, logged):
    response = client.get("/accounts/oidc/callback/?code=abc&state=xyz")
    assert_refused(response, "not started here", logged)


def test_a_replayed_callback_is_refused(client, sso, logged):
    callback = sso.approve(start_sign_in(client), "sub-rita")
    assert finish_sign_in(client, callback).status_code == 302
    client.logout()
    response = finish_sign_in(client, callback)
    assert_refused(response, "not started here", logged)
    assert User.objects.count() == 1


def test_a_used_code_replayed_under_a_fresh_state_is_refused_by_the_provider(client, sso, logged):
    callback = sso.approve(start_sign_in(client), "sub-rita")
    finish_sign_in(client, callback)
    client.logout()
    fresh_state = parse_qs(urlsplit(start_sign_in(client)).query)["state"][0]
    response = finish_sign_in(client, with_query(callback, state=fresh_state))
    assert_refused(response, "refused this sign-in code", logged)


def test_a_code_issued_to_another_application_is_refused(client, sso, logged):
    authorize = with_query(start_sign_in(client), client_id="another-app")
    response = finish_sign_in(client, sso.approve(authorize, "sub-mallory"))
    assert_refused(response, "refused this sign-in code", logged)
    assert not User.objects.exists()


def test_an_id_token_for_another_audience_is_refused(sso):
    """The provider's own token for another client, offered to our verification."""
    authorize = f"{sso.url}/oauth2/authorize?" + urlencode(
        {
            "client_id": "another-app",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": "http://127.0.0.1/cb",
            "nonce": "n-1",
        }
    )
    code = parse_qs(urlsplit(sso.approve(authorize, "sub-mallory")).query)["code"][0]
    token = httpx.post(
        f"{sso.url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1/cb",
            "client_id": "another-app",
            "client_secret": "x",
        },
        timeout=5,
    ).json()["id_token"]
    with pytest.raises(SsoRefused, match="issued to another application"):
        SsoBackend().verify_token(token, nonce="n-1")


def test_an_id_token_from_another_issuer_is_refused(client, sso, settings, logged):
    """The same provider reached under a second name signs tokens as that other issuer."""
    port = urlsplit(sso.url).port
    settings.OIDC_ISSUER = f"http://localhost:{port}"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{port}/oauth2/token"
    response = sign_in(client, sso, "sub-mallory")
    assert_refused(response, "comes from another identity provider", logged)
    assert not User.objects.exists()


def test_an_expired_id_token_is_refused(client, sso, settings, logged):
    with running_provider("--token-max-age=-300") as stale:
        settings.OIDC_ISSUER = stale.url
        response = sign_in(client, stale, "sub-mallory")
    assert_refused(response, "has expired", logged)
    assert not User.objects.exists()


def test_a_token_without_a_subject_is_refused(client, sso, logged):
    response = sign_in(client, sso, "")
    assert_refused(response, "sent no subject", logged)
    assert not User.objects.exists()


@pytest.mark.parametrize("groups", ["approvers", {"approvers": True}, ["approvers", 7], 3])
def test_a_groups_claim_that_is_not_a_list_of_names_is_refused_and_changes_nothing(
    client, sso, logged, groups
):
    BusinessUnitFactory(slug="marketing", idp_member_group="marketing-members")
    sso.set_user("sub-nina", given_name="Nina", groups=["approvers", "marketing-members"])
    sign_in(client, sso, "sub-nina")
    client.logout()
    changes = RoleChange.objects.count()

    sso.set_user("sub-nina", given_name="Renamed", groups=groups)
    response = sign_in(client, sso, "sub-nina")
    assert_refused(response, "claim is not a list of group names", logged)
    user = User.objects.get(oidc_sub="sub-nina")
    assert user.first_name == "Nina" and user.is_approver
    assert Membership.objects.filter(user=user, unit__slug="marketing").exists()
    assert RoleChange.objects.count() == changes


def test_an_unreachable_provider_gives_a_page_not_a_500(client, sso, settings, logged):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    response = client.get("/accounts/oidc/authenticate/")
    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()


def test_a_password_form_posted_with_a_code_in_its_url_never_reaches_the_provider(client, sso):
    User.objects.create_user("olga", password="olga-password-1")
    response = client.post(
        "/accounts/login/?code=stolen&state=x",
        {"username": "olga", "password": "olga-password-1"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_subject_checks_refuse_junk():
    from accounts.idp_roles import subject_from_claims

    for claims in ({}, {"sub": None}, {"sub": 5}, {"sub": "  "}, {"sub": "x" * 300}):
        with pytest.raises(ClaimsError):
            subject_from_claims(claims)
    assert Group.objects.count() == 0


def test_a_username_clash_at_creation_is_refused_not_a_500(client, sso, logged):
    suffix = hashlib.sha256(b"sub-zed").hexdigest()[:8]
    User.objects.create_user("zed")
    User.objects.create_user(f"zed-{suffix}")
    sso.set_user("sub-zed", preferred_username="zed", groups=["approvers"])
    response = sign_in(client, sso, "sub-zed")
    assert_refused(response, "at the same moment", logged)
    assert not User.objects.filter(oidc_sub="sub-zed").exists()
    assert not RoleChange.objects.exists()

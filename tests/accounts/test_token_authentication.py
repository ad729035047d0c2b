"""Token authentication with its statement written once (issue 14: the per-request floor):
the same user, token and refusals as DRF's own, in one query."""

import pytest
from django.forms.models import model_to_dict
from rest_framework import authentication as drf
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import TokenAuthentication
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/specialties/"


def test_it_loads_the_same_user_and_token_as_drfs_own_in_one_query(django_assert_num_queries):
    user = UserFactory(username="dana", email="dana@example.com", is_staff=True)
    key = Token.objects.create(user=user).key
    with django_assert_num_queries(1):
        ours, token = TokenAuthentication().authenticate_credentials(key)
    theirs, their_token = drf.TokenAuthentication().authenticate_credentials(key)
    assert model_to_dict(ours) == model_to_dict(theirs) and ours.pk == user.pk
    assert (token.key, token.user_id, token.created) == (
        their_token.key,
        their_token.user_id,
        their_token.created,
    )
    assert token.user is ours  # no second query for token.user
    assert not ours._state.adding and ours._state.db == "default"


def test_an_unknown_token_is_refused_as_drf_refuses_it(client):
    response = client.get(URL, headers={"Authorization": "Token " + "0" * 40})
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
    assert response["WWW-Authenticate"] == "Token"


def test_a_deactivated_users_token_is_refused(client):
    user = UserFactory()
    key = Token.objects.create(user=user).key
    assert client.get(URL, headers={"Authorization": f"Token {key}"}).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(URL, headers={"Authorization": f"Token {key}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key)


def test_a_deleted_token_stops_working_at_once(client):
    token = Token.objects.create(user=UserFactory())
    assert client.get(URL, headers={"Authorization": f"Token {token.key}"}).status_code == 200
    token.delete()
    assert client.get(URL, headers={"Authorization": f"Token {token.key}"}).status_code == 401

"""Sessions live in the cache and the database (cached_db): still ended wherever they must be."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> tuple[Client, str]:
    client = Client()
    client.force_login(UserFactory(username=username))
    assert client.get("/").status_code == 200
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _replayed(session_key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def test_a_session_cookie_replayed_after_logout_is_signed_out():
    client, key = _signed_in("dana")
    client.post("/accounts/logout/")
    assert _replayed(key).get("/").status_code == 302


def test_a_deactivated_users_session_ends_at_the_next_request():
    client, _ = _signed_in("max")
    User.objects.filter(username="max").update(is_active=False)  # as deactivate_user does
    assert client.get("/").status_code == 302


def test_a_session_outlives_its_cached_copy():
    _, key = _signed_in("erin")
    cache.delete(SessionStore(session_key=key).cache_key)
    assert _replayed(key).get("/").status_code == 200

"""Throttling in one Redis round trip (issue 14): DRF's sliding window, rate and Retry-After."""

import os
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the one-trip throttle needs Redis"),
]
URL = "/api/v1/specialties/"


@pytest.fixture
def three_a_minute(monkeypatch):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    yield
    cache.clear()


def _api(token: Token) -> Client:
    return Client(headers={"Authorization": f"Token {token.key}"})


def test_the_call_past_the_rate_is_refused_with_drfs_retry_after(three_a_minute):
    api = _api(Token.objects.create(user=UserFactory()))
    responses = [api.get(URL) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert 55 <= int(responses[-1]["Retry-After"]) <= 60
    # Refused calls are not counted (as in DRF), and the window is the key's own.
    assert not cache.get("throttle_user_x")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # threads: own connections
def test_simultaneous_calls_cannot_all_slip_under_the_rate(three_a_minute):
    token = Token.objects.create(user=UserFactory())
    codes: list[int] = []

    def call() -> None:
        try:
            codes.append(_api(token).get(URL).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(codes) == [200] * 3 + [429] * 5

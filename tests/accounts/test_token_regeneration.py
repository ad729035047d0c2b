"""Replacing one's API token is one step: simultaneous clicks each get a page with a new key,
and one of those keys is the token left (PostgreSQL: SQLite serialises writers anyway)."""

import os
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row-lock races need PostgreSQL (CI sets DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CLICKS = 10
NEW_KEY = re.compile(r'id="new-token" type="text" readonly value="([0-9a-f]{40})"')


@pytest.mark.parametrize("had_token", [False, True], ids=["first", "replacing"])
def test_simultaneous_token_regenerations_leave_exactly_one_working_token(had_token):
    user = UserFactory(username="dana")
    if had_token:
        Token.objects.create(user=user)
    barrier = threading.Barrier(CLICKS)
    responses: list = [None] * CLICKS

    def click(index: int) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            barrier.wait(timeout=30)
            responses[index] = client.post("/accounts/profile/token/", {"action": "create"})
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [200] * CLICKS
    shown = {NEW_KEY.search(r.content.decode()).group(1) for r in responses}
    assert len(shown) == CLICKS
    (token,) = Token.objects.filter(user=user)
    assert token.key in shown
    api = Client(headers={"Authorization": f"Token {token.key}"})
    assert api.get("/api/v1/").status_code == 200

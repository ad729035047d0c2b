"""A database outage answers 503 with Retry-After on pages and the API, never a 500."""

import pytest
from django.db import OperationalError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outage(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr("catalog.views.catalog.AIModelFilterSet.__init__", refuse)
    monkeypatch.setattr("catalog.api.catalog.AIModelViewSet.list", refuse)


@pytest.mark.parametrize("path", ["/", "/api/v1/models/"])
def test_database_outage_is_a_503_with_retry_after(client, outage, path):
    client.raise_request_exception = False
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "unavailable" in response.content.decode()


def test_other_errors_stay_500s_in_the_api_shape(client, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("catalog.api.catalog.AIModelViewSet.list", crash)
    client.raise_request_exception = False
    client.force_login(UserFactory())
    response = client.get("/api/v1/models/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}

"""API request bodies are outside input: whatever JSON arrives, the answer is a 400, never a 500."""

import pytest
from rest_framework.test import APIClient

from catalog.models import ApprovalRequest

pytestmark = pytest.mark.django_db

TOO_DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("body", [TOO_DEEP, '{"a": ' * 50_000 + "1" + "}" * 50_000])
def test_json_nested_past_the_decoders_limit_is_a_400(member, body):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(member)
    response = api.post("/api/v1/approval-requests/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply"}
    assert not ApprovalRequest.objects.exists()


def test_an_anonymous_deeply_nested_login_is_a_400():
    api = APIClient(raise_request_exception=False)
    response = api.post("/api/v1/auth/token/", data=TOO_DEEP, content_type="application/json")
    assert response.status_code == 400


def test_ordinary_malformed_json_keeps_drfs_message(member):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(member)
    response = api.post("/api/v1/approval-requests/", data="{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_usage_configuration_refuses_deep_json_too(catalog_admin):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(catalog_admin)
    response = api.post("/api/v1/usage-sources/", data=TOO_DEEP, content_type="application/json")
    assert response.status_code == 400

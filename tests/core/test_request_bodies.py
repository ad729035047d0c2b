"""Bodies nested past 32 levels or over the upload limit: a 400 that says so, never a 500."""

import json

import pytest
from rest_framework.test import APIClient

from catalog.models import ApprovalRequest
from core.api.parsers import MAX_JSON_DEPTH, nested_deeper_than
from usage.models import UsageSource

pytestmark = pytest.mark.django_db


def nested(levels: int) -> object:
    value: object = "leaf"
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


def test_depth_is_counted_in_lists_and_objects():
    assert not nested_deeper_than(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)
    assert nested_deeper_than(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)
    assert not nested_deeper_than({"a": [1, {"b": "c"}]}, 3)
    assert nested_deeper_than({"a": [1, {"b": []}]}, 3)


def test_a_body_nested_33_levels_is_a_400_and_writes_nothing(catalog_admin):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(catalog_admin)
    body = {"name": "Deep", "kind": "litellm", "base_url": "https://proxy.example.com",
            "key_env": "LITELLM_API_KEY", "extra": nested(MAX_JSON_DEPTH)}  # fmt: skip
    response = api.post("/api/v1/usage-sources/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested deeper than 32 levels."}
    assert not UsageSource.objects.exists()


def test_a_body_nested_32_levels_is_read(catalog_admin):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(catalog_admin)
    body = {"name": "Shallow", "kind": "litellm", "base_url": "https://proxy.example.com",
            "key_env": "LITELLM_API_KEY", "extra": nested(MAX_JSON_DEPTH - 2)}  # fmt: skip
    response = api.post("/api/v1/usage-sources/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_json_body_over_the_upload_limit_is_a_400(member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(member)
    body = {"model": "x", "business_unit": "marketing", "use_case": "u" * 20_000}
    response = api.post(
        "/api/v1/approval-requests/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is larger than the upload limit."}
    assert not ApprovalRequest.objects.exists()


def test_a_form_over_the_upload_limit_is_a_400(client, member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(member)
    response = client.post("/requests/new/?model=x", {"use_case": "u" * 20_000})
    assert response.status_code == 400
    assert not ApprovalRequest.objects.exists()


def test_a_form_with_too_many_fields_is_a_400(client, member, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    client.force_login(member)
    response = client.post("/requests/new/?model=x", {f"f{n}": "1" for n in range(200)})
    assert response.status_code == 400

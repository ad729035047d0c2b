"""The OpenAPI schema is valid and the docs are served from the project, not a CDN."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from tests.catalog.api_support import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=StringIO()
    )
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for path in [
        "/api/v1/models/",
        "/api/v1/models/{slug}/",
        "/api/v1/models/{slug}/prices/",
        "/api/v1/models/{slug}/availability/",
        "/api/v1/vendors/{slug}/",
        "/api/v1/specialties/",
        "/api/v1/business-units/{slug}/models/",
    ]:
        assert path in paths, path
    filters = {p["name"] for p in paths["/api/v1/models/"]["get"]["parameters"]}
    assert {"vendor", "specialty", "max_input_price", "ordering", "search", "region"} <= filters


def test_schema_and_docs_need_auth_and_load_no_cdn(client):
    assert client.get("/api/v1/schema/").status_code == 401
    api = token_client(UserFactory())
    assert api.get("/api/v1/schema/").status_code == 200
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg.com" not in docs.content

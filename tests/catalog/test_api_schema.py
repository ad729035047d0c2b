"""The OpenAPI schema is valid, committed as it is generated, and the docs are served from the
project, not a CDN."""

import difflib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.catalog.api_support import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
REGENERATE = "make schema  (manage.py spectacular --file docs/openapi.yaml --validate)"


def schema_drift(committed: str, generated: str) -> str:
    """Empty when the committed contract is what the code generates; else how they differ."""
    if committed == generated:
        return ""
    diff = difflib.unified_diff(
        committed.splitlines(),
        generated.splitlines(),
        "docs/openapi.yaml",
        "generated",
        n=1,
        lineterm="",
    )
    shown = "\n".join(list(diff)[:60])
    return (
        f"docs/openapi.yaml is out of date with the code. Run `{REGENERATE}`, commit it.\n{shown}"
    )


def test_the_committed_schema_is_what_the_code_generates(tmp_path):
    """Generated as `make schema` does, with PostgreSQL's integer bounds whatever database this
    run uses: SQLite would call every integer 64-bit."""
    generated = tmp_path / "openapi.yaml"
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "postgres://schema@127.0.0.1:1/schema"}
    subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--file", str(generated)],
        cwd=COMMITTED.parents[1],
        env=env,
        check=True,
        capture_output=True,
    )
    drift = schema_drift(COMMITTED.read_text(), generated.read_text())
    assert not drift, drift


def test_a_contract_change_not_committed_is_reported_with_how_to_regenerate():
    committed = COMMITTED.read_text()
    changed = committed.replace("nullable: true", "nullable: false", 1)
    drift = schema_drift(committed, changed)
    assert "Run `make schema" in drift
    assert "-          nullable: true" in drift and "+          nullable: false" in drift


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

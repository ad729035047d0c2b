"""The OpenAPI schema the code generates, loaded into schemathesis to call the WSGI app
in-process, for the fuzz and contract tests."""

import functools
import json
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.schemas import OpenApiSchema

from modelshelf.wsgi import application


@functools.cache
def _schema_json() -> str:
    return json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)


def generated_schema() -> dict[str, Any]:
    """What `/api/v1/schema/` serves, as plain JSON types (a fresh copy each call)."""
    return json.loads(_schema_json())


def wsgi_schema(config: SchemathesisConfig | None = None) -> OpenApiSchema:
    """The schema loaded into schemathesis, calling the WSGI app in-process."""
    loaded = schemathesis.openapi.from_dict(generated_schema(), config=config)
    loaded.app = application
    return loaded


@pytest.fixture
def keep_test_connection():
    """Called straight through WSGI, Django would close the test transaction's connection at
    the end of each request; its own test client detaches this handler the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)

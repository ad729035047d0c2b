"""The site's shell: health, login wall, the catalog home page, migrations in step."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from tests.factories import PASSWORD, AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("catalog.views.health.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.parametrize("path", ["/", "/models/anything/"])
def test_pages_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_login_then_home_lists_approved_models_with_unpriced_shown(client):
    AIModelFactory(name="Sonnet Test", status="approved")
    AIModelFactory(name="Free Lunch", input_price_per_mtok=None, output_price_per_mtok=None)
    AIModelFactory(name="Hidden Draft", status="under_review")
    UserFactory(username="dana")
    response = client.post("/accounts/login/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Sonnet Test" in page and "Free Lunch" in page
    assert "unpriced" in page and "$0" not in page
    assert "Hidden Draft" not in page


def test_home_search_finds_by_vendor_model_id(client):
    AIModelFactory(name="Alpha", vendor_model_id="alpha-001")
    AIModelFactory(name="Beta", vendor_model_id="beta-002")
    client.force_login(UserFactory())
    page = client.get("/", {"search": "beta-0"}).content.decode()
    assert "Beta" in page and "Alpha" not in page


def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())

"""The site's shell: health, login wall, the catalog home page, migrations in step."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from tests.factories import PASSWORD, AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_a_plain_http_healthz_probe_is_answered_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301  # everything else still goes to HTTPS


@pytest.mark.parametrize(
    "path",
    ["/accounts/password_reset/", "/accounts/password_change/", "/accounts/reset/MQ/set-password/"],
)
def test_no_password_reset_or_change_flow_is_served(client, path):
    assert client.get(path).status_code == 404
    client.force_login(UserFactory())
    assert client.get(path).status_code == 404


def test_env_example_lists_every_variable_the_settings_read():
    root = Path(__file__).resolve().parent.parent
    settings_source = (root / "modelshelf" / "settings.py").read_text()
    read = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", settings_source))
    example = (root / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert "REDIS_URL" in read
    assert read - listed == set()


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

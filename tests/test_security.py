"""Production posture: deploy checks, CSP, login lockout, API throttling."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from modelshelf.middleware import policy_headers
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py *args` in a fresh process with production settings (DEBUG off) plus `env`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


DEPLOY_CHECK = ("check", "--deploy", "--fail-level", "WARNING")


def test_deploy_checks_pass_with_debug_off():
    result = manage(
        *DEPLOY_CHECK,
        ALLOWED_HOSTS="modelshelf.example.com",
        SECURE_SSL_REDIRECT="1",
        SECURE_COOKIES="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_static_files_collect_for_production(tmp_path):
    """The manifest storage refuses any CSS/JS that points at a file we do not ship."""
    result = manage("collectstatic", "--no-input", "-v0", MODELSHELF_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()


def test_deploy_checks_fail_without_a_secret_key_when_debug_is_off():
    result = manage(*DEPLOY_CHECK, SECRET_KEY="", ALLOWED_HOSTS="modelshelf.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def _login(client, username, password, ip):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_repeated_failures_lock_out_that_username_from_that_address_only(client, settings):
    UserFactory(username="dana")
    UserFactory(username="erin")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "dana", "wrong", "10.0.0.1")
    assert _login(client, "dana", PASSWORD, "10.0.0.1").status_code == 429
    assert _login(client, "dana", PASSWORD, "10.0.0.2").status_code == 302
    assert _login(client, "erin", PASSWORD, "10.0.0.1").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_an_overlong_username_is_a_failed_login_not_a_server_error(client, settings, path):
    """Found by `make fuzz` (on the token endpoint): Django's login forms pass a username of
    any length on to authentication, and on PostgreSQL the lockout record could not hold it."""
    long_name = "x" * 300
    codes = [
        client.post(path, {"username": long_name, "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # locked out, as usual
    assert AccessAttempt.objects.get().username == long_name[:255]


@pytest.fixture
def tight_throttle(monkeypatch):
    """3 calls a minute; the class caches its rates at import, so patch them there."""
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    yield
    cache.clear()


@pytest.mark.django_db
def test_api_calls_are_throttled_per_token(client, tight_throttle):
    first, second = (Token.objects.create(user=UserFactory()) for _ in range(2))
    codes = [
        client.get("/api/v1/", headers={"Authorization": f"Token {first.key}"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    other = client.get("/api/v1/", headers={"Authorization": f"Token {second.key}"})
    assert other.status_code == 200


@pytest.mark.django_db
def test_api_answers_carry_the_policy_and_a_changed_setting_is_applied(client, settings):
    assert client.get("/healthz")["Content-Security-Policy"] == policy_headers()[0][1]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/healthz")["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    response = client.get("/healthz")
    assert "img-src 'self'" in response["Content-Security-Policy-Report-Only"]

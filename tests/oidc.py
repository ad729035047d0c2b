"""A real OpenID provider for the tests: `manage.py oidc_provider` (oidc-provider-mock) in its
own process on loopback, and the sign-in round trip through it as a browser would make it."""

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "modelshelf"


@dataclass
class Provider:
    url: str

    def set_user(self, sub: str, **claims: object) -> None:
        """The provider's users are its own: PUT /users/{sub} replaces one's claims."""
        response = httpx.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def approve(self, authorize_url: str, sub: str) -> str:
        """Submit the provider's authorization form as `sub`; returns where it redirects."""
        response = httpx.post(authorize_url, data={"sub": sub}, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["location"]


@contextmanager
def running_provider(*args: str) -> Iterator[Provider]:
    log = tempfile.TemporaryFile(mode="w+")  # its request log; a pipe could fill and block it
    process = subprocess.Popen(
        [sys.executable, "manage.py", "oidc_provider", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("Test OpenID provider on "):
            process.wait(10)
            log.seek(0)
            raise AssertionError(f"provider did not start: {line!r}\n{log.read()[-2000:]}")
        provider = Provider(url=line.split()[4])
        httpx.get(f"{provider.url}/.well-known/openid-configuration", timeout=5).raise_for_status()
        yield provider
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def start_sign_in(client: Client) -> str:
    """Press "Sign in with SSO": returns the provider's authorization URL."""
    response = client.get("/accounts/oidc/authenticate/")
    assert response.status_code == 302, response.content
    return response["Location"]


def finish_sign_in(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, provider: Provider, sub: str):
    """The whole round trip; returns our callback's response."""
    return finish_sign_in(client, provider.approve(start_sign_in(client), sub))

"""Helpers for the catalog API tests: a token-authenticated client and adoptions."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.choices import AdoptionStatus
from catalog.models import Adoption


def token_client(user) -> Client:
    """A client that calls the API as `user` with `Authorization: Token …`, as tools do."""
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


def adopt(unit, model, *, status=AdoptionStatus.ACTIVE, days_left=100, **fields) -> Adoption:
    now = timezone.now()
    fields.setdefault("use_case", "Drafting replies")
    return Adoption.objects.create(
        unit=unit,
        model=model,
        status=status,
        approved_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=days_left),
        **fields,
    )


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Persona fixtures set passwords; a fast hasher keeps these API tests quick (the tokens,
    not the passwords, are under test here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

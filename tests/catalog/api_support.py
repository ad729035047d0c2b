"""Helpers for the catalog API tests: a token-authenticated client and adoptions."""

from datetime import timedelta

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

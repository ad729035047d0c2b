"""Revoke asks first, naming what it stops, and can be undone for ten minutes (issue 28, item 4)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F

from catalog.choices import AdoptionStatus
from catalog.models import Adoption
from tests.catalog.test_pages_dashboards import _adopt
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def codestral(unit):
    model = AIModelFactory(name="Codestral", input_price_per_mtok=Decimal("1"))
    return _adopt(unit, model, "Code review", 10_000_000, 0)


def _revoked_minutes_ago(adoption, minutes):
    """The revocation's audit row moved back in time, as if the clock had moved on."""
    Adoption.history.filter(id=adoption.pk, status=AdoptionStatus.REVOKED).update(
        history_date=F("history_date") - timedelta(minutes=minutes)
    )


def test_revoke_asks_first_naming_the_use_case_and_the_cost_it_stops(client, manager, codestral):
    client.force_login(manager)
    unit_page = client.get("/business-units/marketing/").content.decode()
    assert f'href="/adoptions/{codestral.pk}/revoke/confirm/"' in unit_page

    page = client.get(f"/adoptions/{codestral.pk}/revoke/confirm/").content.decode()
    assert "Revoke Codestral for Marketing?" in page
    assert "Code review" in page and "$10.00 a month" in page and "undo it" in page
    assert Adoption.objects.get(pk=codestral.pk).status == AdoptionStatus.ACTIVE


def test_members_are_not_offered_the_confirmation(client, member, codestral):
    client.force_login(member)
    assert client.get(f"/adoptions/{codestral.pk}/revoke/confirm/").status_code == 403


def test_a_manager_undoes_a_revocation_within_ten_minutes(client, manager, codestral):
    client.force_login(manager)
    client.post(f"/adoptions/{codestral.pk}/revoke/")
    page = client.get("/business-units/marketing/").content.decode()
    assert "Codestral was revoked for Marketing" in page and "Undo revoke" in page

    _revoked_minutes_ago(codestral, 9)
    response = client.post(f"/adoptions/{codestral.pk}/undo-revoke/", follow=True)
    assert "Codestral is back on Marketing" in response.content.decode()
    restored = Adoption.objects.get(pk=codestral.pk)
    assert restored.status == AdoptionStatus.ACTIVE and restored.use_case == "Code review"
    assert "Undo revoke" not in client.get("/business-units/marketing/").content.decode()


def test_after_ten_minutes_the_revocation_stands(client, manager, codestral):
    client.force_login(manager)
    client.post(f"/adoptions/{codestral.pk}/revoke/")
    _revoked_minutes_ago(codestral, 11)
    assert "Undo revoke" not in client.get("/business-units/marketing/").content.decode()
    response = client.post(f"/adoptions/{codestral.pk}/undo-revoke/", follow=True)
    assert "more than 10 minutes ago" in response.content.decode()
    assert Adoption.objects.get(pk=codestral.pk).status == AdoptionStatus.REVOKED

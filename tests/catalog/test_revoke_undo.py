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


def test_the_confirmation_names_this_months_spend_and_the_names_gateways_stop_serving(
    client, manager, codestral
):
    from datetime import UTC, datetime

    from django.utils import timezone

    from gateways.models import Gateway, GatewayProbe
    from usage.choices import SourceKind
    from usage.models import UsageAccount, UsageRecord, UsageSource

    Adoption.objects.filter(pk=codestral.pk).update(alias="code-review")
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    account = UsageAccount.objects.create(source=source, external_id="mkt", unit=codestral.unit)
    UsageRecord.objects.create(
        source=source, account=account, unit=codestral.unit, day=timezone.now().date(),
        vendor_model_id="code-review", model=codestral.model, input_tokens=1000,
        output_tokens=10, billed_cost=Decimal("3.25"), list_cost=Decimal("3.10"),
        ingested_at=datetime.now(UTC),
    )  # fmt: skip
    gateway = Gateway.objects.create(name="Proxy", base_url="https://proxy.example.com")
    GatewayProbe.objects.create(gateway=gateway, unit=codestral.unit, key_env="PROXY_KEY")
    client.force_login(manager)
    page = client.get(f"/adoptions/{codestral.pk}/revoke/confirm/").content.decode()
    assert "<strong>$3.25</strong> this month so far" in page
    assert "gateway <strong>Proxy</strong> stops serving <code>code-review</code>" in page


def test_the_confirmation_says_nothing_was_spent_yet_and_names_the_slug(client, manager, codestral):
    client.force_login(manager)
    page = client.get(f"/adoptions/{codestral.pk}/revoke/confirm/").content.decode()
    assert "<strong>$0.00</strong> this month so far" in page
    assert f"<code>{codestral.model.slug}</code>" in page


def test_the_api_undoes_a_revocation_within_ten_minutes_for_those_who_may_revoke(
    manager, member, codestral
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/v1/adoptions/{codestral.pk}/"
    assert api.post(url + "revoke/").status_code == 200
    api.force_authenticate(member)
    assert api.post(url + "undo-revoke/").status_code == 403
    api.force_authenticate(manager)
    _revoked_minutes_ago(codestral, 9)
    undone = api.post(url + "undo-revoke")
    assert undone.status_code == 200 and undone.json()["status"] == "active"
    assert api.post(url + "undo-revoke/").status_code == 409  # not revoked any more

    api.post(url + "revoke/")
    _revoked_minutes_ago(codestral, 11)
    late = api.post(url + "undo-revoke/")
    assert late.status_code == 409 and "more than 10 minutes ago" in late.json()["detail"]

"""The unit page, the status board and the profile's API token."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.choices import AvailabilityStatus, PriceSource
from catalog.models import Adoption, ApprovalRequest, PriceObservation
from core.choices import JobKind
from core.models import JobRun
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _adopt(unit, model, use_case, tokens_in, tokens_out):
    now = timezone.now()
    return Adoption.objects.create(
        unit=unit,
        model=model,
        use_case=use_case,
        approved_at=now,
        expires_at=now + timedelta(days=365),
        expected_monthly_input_tokens=tokens_in,
        expected_monthly_output_tokens=tokens_out,
    )


def test_unit_page_forecasts_monthly_cost_against_the_budget(client, member, outsider, unit):
    unit.monthly_budget = Decimal("100.00")
    unit.save()
    pricey = AIModelFactory(name="Opus", input_price_per_mtok=Decimal("15"), specialties=["chat"])
    AIModelFactory(name="Haiku", input_price_per_mtok=Decimal("1"), specialties=["chat"])
    _adopt(unit, pricey, "Contract review", 10_000_000, 1_000_000)  # 150 + 2
    _adopt(
        unit,
        AIModelFactory(name="Mystery", input_price_per_mtok=None, output_price_per_mtok=None),
        "Tests",
        1,
        1,
    )
    ApprovalRequest.objects.create(
        model=AIModelFactory(name="Wanted"), unit=unit, requester=member, use_case="Summaries"
    )
    client.force_login(member)
    html = client.get(f"/business-units/{unit.slug}/").content.decode()
    assert "Contract review" in html and "$152.00" in html and "$100.00" in html
    assert "over budget" in html and "+ 1 unpriced" in html
    assert "Haiku</a>: $12.00 instead of $152.00, <strong>saves $140.00/month" in html
    assert "Wanted" in html and "Summaries" in html
    client.force_login(outsider)
    other = client.get(f"/business-units/{unit.slug}/").content.decode()
    assert "Contract review" in other and "Wanted" not in other


def test_unknown_unit_is_404(client, member):
    client.force_login(member)
    assert client.get("/business-units/nowhere/").status_code == 404


def test_status_board_counts_availability_and_lists_changes_and_runs(client, member):
    acme = VendorFactory(name="Acme")
    down = AIModelFactory(vendor=acme, name="Flaky", availability_status=AvailabilityStatus.DOWN)
    AIModelFactory(vendor=acme, availability_status=AvailabilityStatus.UP)
    now = timezone.now()
    for days, price in ((3, "2.50"), (1, "2.00")):
        PriceObservation.objects.create(
            model=down,
            observed_at=now - timedelta(days=days),
            input_price_per_mtok=Decimal(price),
            output_price_per_mtok=Decimal("4"),
            source=PriceSource.LITELLM,
        )
    JobRun.objects.create(
        kind=JobKind.CHECK_AVAILABILITY,
        vendor=acme,
        started_at=now,
        finished_at=now,
        checked=2,
        errors=["timeout"],
    )
    client.force_login(member)
    html = client.get("/status/").content.decode()
    assert '<td class="num">1</td><td class="num">0</td><td class="num bad">1</td>' in html
    assert "Needs attention" in html and "Flaky" in html and "Not monitored" in html
    assert '<s class="muted">$2.50</s> $2.00' in html
    assert "Check availability" in html and "1 error" in html


def test_profile_creates_shows_once_and_revokes_the_api_token(client, member):
    client.force_login(member)
    page = client.get("/accounts/profile/").content.decode()
    assert "Marketing" in page and "Create API token" in page
    created = client.post("/accounts/profile/token/", {"action": "create"})
    key = Token.objects.get(user=member).key
    assert key in created.content.decode() and created["Cache-Control"] == "no-store"
    later = client.get("/accounts/profile/").content.decode()
    assert key not in later and key[:6] in later and "Revoke API token" in later
    client.logout()
    assert client.get("/api/v1/", headers={"Authorization": f"Token {key}"}).status_code == 200
    client.force_login(member)
    client.post("/accounts/profile/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=member).exists()
    client.logout()
    assert client.get("/api/v1/", headers={"Authorization": f"Token {key}"}).status_code == 401

"""The smaller truths of issue 25 (item 7): a CSV is never one page, `since` has bounds, and
revoking an adoption mid-month leaves the days it covered approved."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.choices import AdoptionStatus
from catalog.models import Adoption
from tests.catalog.api_support import token_client
from tests.factories import AIModelFactory
from usage.choices import FindingKind, SourceKind
from usage.models import UsageAccount, UsageFinding, UsageRecord, UsageSource
from usage.services.findings import findings_check

pytestmark = pytest.mark.django_db


def test_the_findings_csv_holds_every_finding_not_one_page(approver, unit):
    UsageFinding.objects.bulk_create(
        UsageFinding(
            kind=FindingKind.UNAPPROVED_USE,
            unit=unit,
            month=date(2026, 10, 1),
            subject=f"model-{n}",
            detail="used with no adoption",
        )
        for n in range(120)
    )

    response = token_client(approver).get("/api/v1/usage-findings/?format=csv")

    assert response.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 120


@pytest.mark.parametrize("since", ["1900-01-01", "2999-01-01"])
def test_an_ingest_since_a_day_out_of_bounds_is_a_400_naming_since(catalog_admin, since):
    source = UsageSource.objects.create(name="Proxy", kind=SourceKind.LITELLM)

    response = token_client(catalog_admin).post(
        f"/api/v1/usage-sources/{source.pk}/ingest/",
        {"since": since},
        content_type="application/json",
    )

    assert response.status_code == 400 and "since" in response.json()


def test_the_command_refuses_a_since_decades_back():
    with pytest.raises(CommandError, match="days back"):
        call_command("ingest_usage", since="1900-01-01", verbosity=0)


def test_revoking_mid_month_leaves_the_days_before_it_approved(unit):
    model = AIModelFactory(slug="chat", vendor_model_id="chat-1")
    adoption = Adoption.objects.create(
        unit=unit,
        model=model,
        use_case="Drafts",
        approved_at=datetime(2026, 9, 1, tzinfo=UTC),
        expires_at=datetime(2027, 9, 1, tzinfo=UTC),
    )
    adoption.status = AdoptionStatus.REVOKED
    adoption.save()
    adoption.history.filter(status=AdoptionStatus.REVOKED).update(
        history_date=datetime(2026, 10, 20, 15, tzinfo=UTC)
    )
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    account = UsageAccount.objects.create(source=source, external_id="t", unit=unit)
    for day in (5, 25):
        UsageRecord.objects.create(
            source=source, account=account, unit=unit, day=date(2026, 10, day),
            vendor_model_id="chat-1", model=model, input_tokens=1000, list_cost=Decimal(1),
            ingested_at=timezone.now() - timedelta(days=1),
        )  # fmt: skip

    findings_check(unit_months=[(unit.pk, date(2026, 10, 1))])

    finding = UsageFinding.objects.get(kind=FindingKind.UNAPPROVED_USE)
    assert "used on 1 day(s)" in finding.detail  # the 25th only: the 5th was approved

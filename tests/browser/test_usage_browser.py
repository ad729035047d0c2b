"""Usage pages in Chromium under a strict CSP: the unit page's chart, the company filters."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import AIModelFactory
from usage.choices import FindingKind, FindingStatus, SourceKind
from usage.models import UsageAccount, UsageFinding, UsageRecord, UsageSource


@pytest.fixture
def spend(unit, other_unit):
    today = timezone.now().date()
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    chat = AIModelFactory(slug="chat", name="Chat One", vendor_model_id="chat-1")
    for u, billed in [(unit, "42.50"), (other_unit, "7.00")]:
        account = UsageAccount.objects.create(source=source, external_id=u.slug, unit=u)
        UsageRecord.objects.create(
            source=source, account=account, unit=u, day=today, vendor_model_id="chat-1",
            model=chat, input_tokens=1_000, billed_cost=Decimal(billed),
            list_cost=Decimal(billed), ingested_at=datetime.now(UTC),
        )  # fmt: skip
    UsageFinding.objects.create(
        kind=FindingKind.UNAPPROVED_USE, unit=unit, month=today.replace(day=1), subject="chat-1",
        detail="chat-1 used on 1 day(s) with no adoption covering them", amount=Decimal("42.50"),
    )  # fmt: skip


def test_the_unit_page_draws_actual_vs_forecast_vs_budget(open_as, manager, spend):
    page = open_as(manager)
    page.goto("/business-units/marketing/")
    chart = page.get_by_role("img", name="Actual spend, forecast and budget by month")
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name="Spend by month")).to_contain_text("$42.50")
    expect(page.get_by_role("list", name="Usage findings")).to_contain_text("Unapproved use")


def test_the_company_view_filters_by_unit_in_place_and_keeps_the_url(open_as, approver, spend):
    page = open_as(approver)
    page.goto("/usage/")
    expect(page.get_by_role("table", name="Top units")).to_contain_text("Engineering")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Business unit").select_option("marketing")
    expect(page).to_have_url(re.compile(r"unit=marketing"))
    expect(page.get_by_role("table", name="Top units")).not_to_contain_text("Engineering")
    expect(page.get_by_role("list", name="Usage findings")).to_contain_text("chat-1")
    assert page.evaluate("window.stillTheSamePage") is True


def test_a_resolved_finding_reads_as_resolved_with_its_reason(open_as, manager, spend):
    UsageFinding.objects.update(
        status=FindingStatus.RESOLVED,
        resolved_at=datetime(2026, 11, 30, 9, tzinfo=UTC),
        resolution="An adoption now covers every day chat-1 was used this month.",
    )
    page = open_as(manager)
    page.goto("/business-units/marketing/")
    findings = page.get_by_role("list", name="Usage findings")
    expect(findings).to_contain_text("Resolved 30 Nov 2026")
    expect(findings).to_contain_text("Resolved: An adoption now covers every day chat-1 was used")

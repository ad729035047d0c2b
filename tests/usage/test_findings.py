"""Findings from a unit's month with exact figures, each told once to managers and approvers."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from catalog.models import Adoption, PriceObservation
from tests.factories import AIModelFactory
from usage.choices import FindingKind, FindingStatus, SourceKind
from usage.models import UsageAccount, UsageFinding, UsageRecord, UsageSource
from usage.services.findings import findings_check

pytestmark = pytest.mark.django_db
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def month(unit, manager, approver):
    """Marketing (budget $1,000) adopted `chat` on 10 October, forecast $12.00 a month."""
    chat = AIModelFactory(slug="chat", vendor_model_id="chat-1")
    shadow = AIModelFactory(slug="shadow", vendor_model_id="shadow-1")
    for model in (chat, shadow):
        PriceObservation.objects.create(
            model=model,
            observed_at=datetime(2026, 1, 1, tzinfo=UTC),
            input_price_per_mtok=Decimal(1),
            output_price_per_mtok=Decimal(2),
            source="manual",
        )
    Adoption.objects.create(
        unit=unit,
        model=chat,
        use_case="Drafts",
        approved_at=datetime(2026, 10, 10, tzinfo=UTC),
        expires_at=datetime(2027, 10, 10, tzinfo=UTC),
        expected_monthly_input_tokens=10_000_000,
        expected_monthly_output_tokens=1_000_000,
    )
    gateway = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    vendor = UsageSource.objects.create(name="Acme AI", kind=SourceKind.OPENAI)
    accounts = {
        s: UsageAccount.objects.create(source=s, external_id="mkt", unit=unit)
        for s in (gateway, vendor)
    }

    def record(source, day, model, billed, listed):
        UsageRecord.objects.create(
            source=source, account=accounts[source], unit=unit, day=date(2026, 10, day),
            vendor_model_id=model.vendor_model_id if model else "mystery-9", model=model,
            input_tokens=1000, output_tokens=100, requests=1,
            billed_cost=None if billed is None else Decimal(billed),
            list_cost=None if listed is None else Decimal(listed),
            ingested_at=datetime(2026, 11, 1, tzinfo=UTC),
        )  # fmt: skip

    return record, gateway, vendor, chat, shadow


def check(unit):
    return findings_check(unit_months={(unit.pk, OCTOBER)})


def test_use_of_a_model_before_its_adoption_or_without_one_is_unapproved(month, unit):
    record, gateway, _, chat, shadow = month
    record(gateway, 5, chat, "2.00", "2.00")  # before the 10 October approval
    record(gateway, 12, chat, "3.00", "3.00")  # covered
    record(gateway, 3, shadow, "1.25", "1.25")
    record(gateway, 4, shadow, "2.50", "2.50")
    record(gateway, 4, None, None, None)  # a model the catalog does not know
    check(unit)
    found = {f.subject: f for f in UsageFinding.objects.filter(kind=FindingKind.UNAPPROVED_USE)}
    assert set(found) == {"chat-1", "shadow-1", "mystery-9"}
    assert found["shadow-1"].amount == Decimal("3.75")
    assert found["shadow-1"].model == shadow
    assert "on 2 day(s)" in found["shadow-1"].detail and "$3.75" in found["shadow-1"].detail
    assert found["chat-1"].amount == Decimal("2.00")
    assert found["mystery-9"].amount is None and "unpriced" in found["mystery-9"].detail


def test_a_bill_more_than_five_percent_off_list_is_a_mismatch_per_source(month, unit):
    record, gateway, vendor, chat, _ = month
    record(vendor, 12, chat, "88.00", "100.00")  # 12 % under list
    record(gateway, 12, chat, "104.00", "100.00")  # 4 % over: within tolerance
    check(unit)
    (finding,) = UsageFinding.objects.filter(kind=FindingKind.BILL_MISMATCH)
    assert finding.source == vendor and finding.subject == "Acme AI"
    assert finding.amount == Decimal("-12.00")
    assert "(-12.0 %)" in finding.detail and "$88.00 against $100.00" in finding.detail


def test_a_model_over_its_forecast_by_more_than_a_quarter_is_found(month, unit):
    record, gateway, _, chat, _ = month
    record(gateway, 12, chat, None, "10.00")
    record(gateway, 13, chat, None, "5.01")  # $15.01 against $12.00: +25.08 %
    check(unit)
    (finding,) = UsageFinding.objects.filter(kind=FindingKind.OVER_FORECAST)
    assert finding.amount == Decimal("15.01") and finding.model == chat
    assert "came to $15.01 in October 2026 against a forecast of $12.00" in finding.detail


def test_exactly_a_quarter_over_forecast_is_not_a_finding(month, unit):
    record, gateway, _, chat, _ = month
    record(gateway, 12, chat, None, "15.00")
    check(unit)
    assert not UsageFinding.objects.filter(kind=FindingKind.OVER_FORECAST).exists()


def test_a_month_over_the_units_budget_counts_billed_before_list(month, unit):
    record, gateway, _, chat, _ = month
    unit.monthly_budget = Decimal("100.00")
    unit.save()
    record(gateway, 12, chat, "60.00", "90.00")  # billed counts: 60
    record(gateway, 13, chat, None, "45.50")  # no bill: list counts
    check(unit)
    (finding,) = UsageFinding.objects.filter(kind=FindingKind.OVER_BUDGET)
    assert finding.amount == Decimal("105.50")
    assert "came to $105.50 in October 2026 against a budget of $100.00" in finding.detail


def test_findings_are_told_once_to_managers_and_approvers(
    month, unit, mailoutbox, django_capture_on_commit_callbacks
):
    record, gateway, _, _, shadow = month
    record(gateway, 3, shadow, "1.25", "1.25")
    with django_capture_on_commit_callbacks(execute=True):
        check(unit)
    (mail,) = mailoutbox
    assert sorted(mail.to) == ["bob@example.com", "frank@example.com"]
    assert "Unapproved use" in mail.body and "shadow-1" in mail.body
    record(gateway, 4, shadow, "2.50", "2.50")
    with django_capture_on_commit_callbacks(execute=True):
        check(unit)
    assert len(mailoutbox) == 1  # not told again
    assert UsageFinding.objects.get().amount == Decimal("3.75")  # but its figures follow


def test_a_mismatch_the_late_bill_clears_is_resolved_untold_and_reraised_once(
    month, unit, mailoutbox, django_capture_on_commit_callbacks
):
    """Late data replaces the day (the upsert updates the row in place): the bill now matches,
    so the finding is resolved, with when and why, keeping the figures it was told with; when
    the bill is off again, it is reopened and told once more, and only once."""
    record, _, vendor, chat, _ = month
    record(vendor, 12, chat, "88.00", "100.00")
    with django_capture_on_commit_callbacks(execute=True):
        check(unit)
    assert len(mailoutbox) == 1
    day = UsageRecord.objects.filter(source=vendor, day=date(2026, 10, 12))
    day.update(billed_cost=Decimal("97.00"))  # what a re-ingest of the day writes
    with django_capture_on_commit_callbacks(execute=True):
        assert check(unit) == []
    finding = UsageFinding.objects.get(kind=FindingKind.BILL_MISMATCH)
    assert finding.status == FindingStatus.RESOLVED and finding.resolved_at is not None
    assert finding.resolution == (
        "Acme AI now billed $97.00 against $100.00 at catalog list prices (-3.0 %), within 5 %."
    )
    assert finding.amount == Decimal("-12.00")  # what was told, kept
    assert len(mailoutbox) == 1  # a resolution is not told
    with django_capture_on_commit_callbacks(execute=True):
        check(unit)  # still clear: nothing changes
    assert UsageFinding.objects.get(pk=finding.pk).resolved_at == finding.resolved_at
    day.update(billed_cost=Decimal("90.00"))
    with django_capture_on_commit_callbacks(execute=True):
        (again,) = check(unit)
    again.refresh_from_db()
    assert (again.pk, again.status, again.resolved_at, again.resolution) == (
        finding.pk, FindingStatus.OPEN, None, "",
    )  # fmt: skip
    assert again.amount == Decimal("-10.00")
    assert len(mailoutbox) == 2 and "Bill mismatch (again)" in mailoutbox[1].body
    with django_capture_on_commit_callbacks(execute=True):
        assert check(unit) == []
    assert len(mailoutbox) == 2


def test_unapproved_use_is_resolved_when_late_data_removes_it_or_an_adoption_covers_it(month, unit):
    record, gateway, _, _, shadow = month
    record(gateway, 3, shadow, "1.25", "1.25")
    record(gateway, 4, None, "0.50", None)
    check(unit)
    assert UsageFinding.objects.filter(status=FindingStatus.OPEN).count() == 2
    # The vendor re-attributed the day: the unknown model's row is gone.
    UsageRecord.objects.filter(vendor_model_id="mystery-9").delete()
    Adoption.objects.create(
        unit=unit, model=shadow, use_case="Found approved",
        approved_at=datetime(2026, 10, 1, tzinfo=UTC), expires_at=datetime(2027, 10, 1, tzinfo=UTC),
    )  # fmt: skip
    check(unit)
    found = {f.subject: f for f in UsageFinding.objects.all()}
    assert found["mystery-9"].status == found["shadow-1"].status == FindingStatus.RESOLVED
    assert found["mystery-9"].resolution == "Late data no longer shows mystery-9 used this month."
    assert found["shadow-1"].resolution == (
        "An adoption now covers every day shadow-1 was used this month."
    )
    assert found["shadow-1"].amount == Decimal("1.25")


def test_over_forecast_and_over_budget_resolve_when_late_data_lowers_the_month(month, unit):
    record, gateway, _, chat, _ = month
    unit.monthly_budget = Decimal("100.00")
    unit.save()
    record(gateway, 12, chat, None, "90.00")
    record(gateway, 13, chat, None, "15.50")
    check(unit)
    assert {f.kind: f.amount for f in UsageFinding.objects.all()} == {
        FindingKind.OVER_FORECAST: Decimal("105.50"),
        FindingKind.OVER_BUDGET: Decimal("105.50"),
    }
    UsageRecord.objects.filter(day=date(2026, 10, 12)).update(list_cost=Decimal("0.50"))
    UsageRecord.objects.filter(day=date(2026, 10, 13)).update(list_cost=Decimal("10.00"))
    check(unit)
    found = {f.kind: f for f in UsageFinding.objects.all()}
    assert all(f.status == FindingStatus.RESOLVED for f in found.values())
    assert found[FindingKind.OVER_FORECAST].resolution == (
        f"{chat.name} now comes to $10.50 in October 2026 against a forecast of $12.00 (-12 %)."
    )
    assert found[FindingKind.OVER_BUDGET].resolution == (
        "Marketing now comes to $10.50 in October 2026 against a budget of $100.00."
    )
    assert found[FindingKind.OVER_BUDGET].amount == Decimal("105.50")  # as it was told


@pytest.mark.parametrize(
    ("today", "again", "said"),
    [
        (date(2026, 10, 15), False, "is on course for $31.00 this month"),
        (date(2026, 10, 31), True, "is now on course for $31.00 this month"),
        (date(2026, 11, 1), False, "came to $31.00 in October 2026"),
        (date(2027, 1, 9), True, "now comes to $31.00 in October 2026"),
    ],
)
def test_a_finding_projects_a_running_month_and_states_an_ended_one(unit, today, again, said):
    """October's figures read "on course for … this month" only while October runs."""
    from usage.services.findings import Month

    assert Month(unit=unit, start=OCTOBER).course(Decimal(31), today, again=again) == said


def test_checking_more_unit_months_costs_one_query_each_for_their_records(
    month, unit, other_unit, django_assert_num_queries
):
    """What every unit-month needs (adoption coverage, active adoptions, findings so far,
    source names) is read once per check; each unit-month reads only its records."""
    record, gateway, vendor, chat, shadow = month
    record(gateway, 12, chat, "3.00", "3.00")
    record(vendor, 3, shadow, "1.25", "1.00")
    months = {(unit.pk, OCTOBER), (other_unit.pk, OCTOBER), (unit.pk, date(2026, 11, 1))}
    findings_check(unit_months=months)  # raises and tells; the next checks change nothing

    with django_assert_num_queries(5 + 1):  # units, coverage, adoptions, findings, sources
        check(unit)
    with django_assert_num_queries(5 + 3):
        findings_check(unit_months=months)

"""The LiteLLM proxy connector against the fake proxy over HTTP on loopback."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from core.choices import JobKind
from core.models import JobRun
from tests.usage.conftest import OCTOBER, october_plan, source_at
from usage.choices import SourceKind
from usage.models import UsageRecord
from usage.services.ingest import usage_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(fake, priced_catalog, unit, other_unit):
    return source_at(
        fake, SourceKind.LITELLM, {"team-marketing": unit, "team-engineering": other_unit}
    )


def test_every_page_of_a_month_lands_once_per_team_day_and_model(fake, gateway, unit):
    usage_ingest(since=OCTOBER)
    records = UsageRecord.objects.filter(source=gateway)
    # The fake serves at most 7 days a page: 31 days are 5 pages per team.
    assert records.count() == 31 * 3
    assert set(records.filter(unit=unit).values_list("vendor_model_id", flat=True)) == {
        "gpt-4o-mini",
        "gpt-4o",
    }
    run = JobRun.objects.get(kind=JobKind.INGEST_USAGE)
    assert run.finished_at is not None and run.errors == [] and run.checked == 93


def test_spend_is_kept_as_billed_and_list_cost_comes_from_the_ledger(gateway, unit):
    usage_ingest(since=OCTOBER)
    record = UsageRecord.objects.get(unit=unit, day=date(2026, 10, 5), vendor_model_id="gpt-4o")
    assert record.model is not None and record.model.vendor_model_id == "gpt-4o"
    # gpt-4o: $2.50 in / $10 out per million tokens in force since January.
    expected = (
        Decimal("2.5") * record.input_tokens + Decimal(10) * record.output_tokens
    ) / 1_000_000
    assert record.list_cost == expected.quantize(Decimal("0.000001"))
    assert record.billed_cost == record.list_cost  # the proxy prices from the same map


def test_reingesting_changes_nothing_and_late_data_replaces_rather_than_adds(fake, gateway, unit):
    usage_ingest(since=OCTOBER)
    before = UsageRecord.objects.aggregate(tokens=Sum("input_tokens"))["tokens"]
    again = usage_ingest(since=OCTOBER)
    assert again.changed == 0
    assert UsageRecord.objects.aggregate(tokens=Sum("input_tokens"))["tokens"] == before

    late = october_plan()
    late.entries[0] = late.entries[0].__class__(
        "litellm", "team-marketing", "gpt-4o-mini", 2_000_000, 200_000, 500
    )
    fake.usage_plan = late
    result = usage_ingest(since=OCTOBER)
    assert result.changed == 31  # only the grown model's days were rewritten
    assert UsageRecord.objects.filter(source=gateway).count() == 93
    grown = UsageRecord.objects.get(unit=unit, day=date(2026, 10, 9), vendor_model_id="gpt-4o-mini")
    assert grown.input_tokens == late.volume(late.entries[0], date(2026, 10, 9))[0]


def test_junk_rows_are_recorded_problems_and_the_rest_is_written(
    fake, priced_catalog, unit, other_unit
):
    source_at(
        fake,
        SourceKind.LITELLM,
        {"team-marketing": unit, "team-engineering": other_unit},
        prefix="/_fault/junk",
    )
    result = usage_ingest(since=OCTOBER)
    assert UsageRecord.objects.count() == 93
    run = result.runs[0]
    assert run.finished_at is not None
    assert run.flagged == run.errors.__len__() > 0
    reasons = " ".join(e["error"] for e in run.errors)
    assert "prompt_tokens must be a number" in reasons
    assert "out of range" in reasons and "not a date" in reasons


def test_an_unreachable_proxy_is_a_recorded_error_not_a_crash(priced_catalog, unit):
    from usage.models import UsageAccount, UsageSource

    source = UsageSource.objects.create(
        name="gone", kind=SourceKind.LITELLM, base_url="http://127.0.0.1:9/litellm"
    )
    UsageAccount.objects.create(source=source, external_id="team-x", unit=unit)
    result = usage_ingest(since=OCTOBER)
    assert result.retry_vendors == [str(source.pk)]
    assert result.runs[0].finished_at is not None
    assert "cannot connect" in result.runs[0].errors[0]["error"]


def test_a_model_the_proxy_no_longer_reports_for_a_day_is_removed_from_that_day(
    fake, gateway, unit
):
    usage_ingest(since=OCTOBER)
    renamed = october_plan()
    renamed.entries[1] = renamed.entries[1].__class__(
        "litellm", "team-marketing", "gpt-4o-2024-08-06", 100_000, 10_000, 50
    )
    fake.usage_plan = renamed
    result = usage_ingest(since=OCTOBER)
    assert result.changed == 31 * 2  # 31 rows written, 31 stale rows removed
    names = set(UsageRecord.objects.filter(unit=unit).values_list("vendor_model_id", flat=True))
    assert names == {"gpt-4o-mini", "gpt-4o-2024-08-06"}
    assert UsageRecord.objects.filter(source=gateway).count() == 93

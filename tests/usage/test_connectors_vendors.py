"""The OpenAI and Anthropic organization connectors against the fake vendor over HTTP."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.usage.conftest import OCTOBER, october_plan, source_at
from usage.choices import FindingKind, FindingStatus, SourceKind
from usage.models import UsageFinding, UsageRecord
from usage.services.ingest import usage_ingest

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 12)


@pytest.fixture
def openai_org(fake, priced_catalog, unit):
    return source_at(fake, SourceKind.OPENAI, {"proj_marketing": unit})


@pytest.fixture
def anthropic_org(fake, priced_catalog, other_unit):
    return source_at(fake, SourceKind.ANTHROPIC, {"wrkspc_eng": other_unit})


def test_openai_tokens_per_project_model_and_day_over_every_page(openai_org, unit):
    result = usage_ingest(since=OCTOBER)
    assert result.errors == []
    records = UsageRecord.objects.filter(source=openai_org)
    assert records.count() == 31 * 2
    record = records.get(day=DAY, vendor_model_id="gpt-4o-mini")
    assert record.unit == unit and record.requests > 0
    assert record.model is not None and record.model.vendor_model_id == "gpt-4o-mini"


def test_openai_project_costs_are_shared_over_the_days_models_by_list_cost(openai_org):
    usage_ingest(since=OCTOBER)
    day = UsageRecord.objects.filter(source=openai_org, day=DAY)
    billed = day.aggregate(total=Sum("billed_cost"))["total"]
    listed = day.aggregate(total=Sum("list_cost"))["total"]
    assert billed == listed  # the fake bills OpenAI at list
    for record in day:
        assert record.billed_cost == record.list_cost


def test_anthropic_costs_are_cents_as_decimal_strings(anthropic_org, fake):
    usage_ingest(since=OCTOBER)
    record = UsageRecord.objects.get(source=anthropic_org, day=DAY)
    # claude-haiku-4-5 at $1 / $5 per million, cache reads $0.10 and writes $1.25; billed 12 %
    # under list, reported in cents.
    expected_list = (
        Decimal(1) * record.input_tokens
        + Decimal(5) * record.output_tokens
        + Decimal("0.1") * record.cache_read_tokens
        + Decimal("1.25") * record.cache_write_tokens
    ) / 10**6
    assert record.list_cost == expected_list.quantize(Decimal("0.000001"))
    assert record.billed_cost == (expected_list * Decimal("0.88")).quantize(Decimal("0.000001"))
    assert record.billed_cost < 100  # not read as dollars (it would be 100× larger)


def test_anthropic_uncached_input_cache_reads_and_cache_creation_are_kept_apart(anthropic_org):
    usage_ingest(since=OCTOBER)
    record = UsageRecord.objects.get(source=anthropic_org, day=DAY)
    plan = october_plan()
    reported = plan.volume(plan.entries[-1], DAY)[0]  # the fake splits it 70/20/10
    cache_read, cache_write = reported // 5, reported // 10
    assert (record.cache_read_tokens, record.cache_write_tokens) == (cache_read, cache_write)
    assert record.input_tokens == reported - cache_read - cache_write


def test_anthropic_requests_are_unknown_never_a_fake_zero(anthropic_org, openai_org):
    """Anthropic's usage report counts tokens, not requests: stored as null, while OpenAI's
    num_model_requests is a count."""
    usage_ingest(since=OCTOBER)
    anthropic = UsageRecord.objects.filter(source=anthropic_org)
    assert anthropic.count() == 31 and not anthropic.filter(requests__isnull=False).exists()
    assert not UsageRecord.objects.filter(source=openai_org, requests__isnull=True).exists()


def test_late_vendor_data_replaces_the_days_it_covers(fake, openai_org, anthropic_org):
    usage_ingest(since=OCTOBER)
    count = UsageRecord.objects.count()
    late = october_plan()
    late.entries[-1] = late.entries[-1].__class__(
        "anthropic", "wrkspc_eng", "claude-haiku-4-5", 6_000_000, 600_000, 10
    )
    fake.usage_plan = late
    result = usage_ingest(since=OCTOBER)
    assert result.changed == 31
    assert UsageRecord.objects.count() == count
    record = UsageRecord.objects.get(source=anthropic_org, day=DAY)
    reported = late.volume(late.entries[-1], DAY)[0]
    assert record.input_tokens + record.cache_read_tokens + record.cache_write_tokens == reported


@pytest.mark.parametrize("kind", [SourceKind.OPENAI, SourceKind.ANTHROPIC])
def test_junk_items_are_recorded_and_the_good_ones_written(fake, priced_catalog, unit, kind):
    account = "proj_marketing" if kind == SourceKind.OPENAI else "wrkspc_eng"
    source = source_at(fake, kind, {account: unit}, prefix="/_fault/junk")
    result = usage_ingest(since=OCTOBER)
    run = result.runs[0]
    assert run.finished_at is not None and run.flagged > 0
    assert UsageRecord.objects.filter(source=source).count() == 31 * (
        2 if kind == SourceKind.OPENAI else 1
    )
    if kind == SourceKind.ANTHROPIC:
        reasons = " ".join(e["error"] for e in run.errors)
        assert "decimal string of cents" in reasons and "must be finite" in reasons
        assert "currency must be USD" in reasons


def test_a_rejected_admin_key_is_a_permanent_error_on_the_run(fake, priced_catalog, unit):
    source = source_at(fake, SourceKind.OPENAI, {"proj_marketing": unit}, prefix="/_fault/401")
    result = usage_ingest(since=OCTOBER)
    assert result.retry_vendors == []
    assert result.runs[0].errors[0]["http_status"] == 401
    assert not UsageRecord.objects.filter(source=source).exists()


def test_a_finding_late_data_clears_is_resolved_and_told_again_only_when_it_returns(
    fake, priced_catalog, unit, manager, mailoutbox, django_capture_on_commit_callbacks
):
    """Marketing has no adoption: its gateway use of gpt-4o is unapproved. The proxy then
    re-attributes October (the re-ingest replaces the days, gpt-4o's rows go): the finding is
    resolved, not told; when gpt-4o comes back, it is reopened and told once."""
    source_at(fake, SourceKind.LITELLM, {"team-marketing": unit})
    with django_capture_on_commit_callbacks(execute=True):
        usage_ingest(since=OCTOBER)
    assert len(mailoutbox) == 1
    finding = UsageFinding.objects.get(kind=FindingKind.UNAPPROVED_USE, subject="gpt-4o")
    told_with = finding.amount
    fake.usage_plan = october_plan(
        entries=[e for e in october_plan().entries if e.model != "gpt-4o"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        usage_ingest(since=OCTOBER)
    finding.refresh_from_db()
    assert not UsageRecord.objects.filter(vendor_model_id="gpt-4o").exists()
    assert finding.status == FindingStatus.RESOLVED and finding.resolved_at is not None
    assert finding.resolution == "Late data no longer shows gpt-4o used this month."
    assert finding.amount == told_with
    assert UsageFinding.objects.get(subject="gpt-4o-mini").status == FindingStatus.OPEN
    assert len(mailoutbox) == 1
    fake.usage_plan = october_plan()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            usage_ingest(since=OCTOBER)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and finding.resolved_at is None
    assert len(mailoutbox) == 2 and "Unapproved use (again): gpt-4o used" in mailoutbox[1].body

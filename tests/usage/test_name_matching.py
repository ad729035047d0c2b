"""A reported name several catalog models share belongs to the one the unit adopted that day,
else the source's vendor's, else the name's provider prefix's; otherwise it stays unmatched with
the candidates named (issue 25, item 5) — never the first row of the table."""

from datetime import UTC, date, datetime, timedelta

import pytest

from catalog.choices import AdoptionStatus
from catalog.models import Adoption
from tests.factories import AIModelFactory, VendorFactory
from usage.choices import SourceKind
from usage.connectors.base import UsageRow
from usage.models import UsageAccount, UsageRecord, UsageSource
from usage.services.matching import ModelMatcher
from usage.services.records import records_write

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 12)


@pytest.fixture
def minis(db):
    """gpt-4o-mini at three vendors, the first rows of the table being a reseller's."""
    return {
        slug: AIModelFactory(
            vendor=VendorFactory(slug=slug), slug=f"{slug}-mini", vendor_model_id="gpt-4o-mini"
        )
        for slug in ("azure", "openai", "openrouter")
    }


def ingest(unit, kind: str, name: str):
    source = UsageSource.objects.create(name=f"{kind} source", kind=kind)
    account = UsageAccount.objects.create(source=source, external_id="a1", unit=unit)
    row = UsageRow(account="a1", day=DAY, model=name, input_tokens=10, output_tokens=1, requests=1)
    result = records_write(
        source=source,
        accounts={"a1": account},
        rows=[row],
        costs=[],
        since=DAY,
        until=DAY,
        matcher=ModelMatcher(kind, unit_ids=[unit.pk]),
    )
    return UsageRecord.objects.get(source=source).model, result.problems


def adopt(unit, model, *, start: date, days: int, status=AdoptionStatus.ACTIVE):
    approved = datetime(start.year, start.month, start.day, tzinfo=UTC)
    Adoption.objects.create(
        unit=unit,
        model=model,
        use_case="Drafting",
        status=status,
        approved_at=approved,
        expires_at=approved + timedelta(days=days),
    )


def test_the_model_the_unit_adopted_that_day_wins_over_the_source_vendor(unit, minis):
    adopt(unit, minis["azure"], start=date(2026, 10, 1), days=30)

    model, problems = ingest(unit, SourceKind.OPENAI, "gpt-4o-mini")

    assert model == minis["azure"] and problems == []


def test_an_adoption_that_had_not_started_that_day_does_not_count(unit, minis):
    adopt(unit, minis["azure"], start=date(2026, 10, 20), days=30)

    model, _ = ingest(unit, SourceKind.OPENAI, "gpt-4o-mini")

    assert model == minis["openai"]


def test_without_an_adoption_the_sources_own_vendor_wins(unit, minis):
    model, _ = ingest(unit, SourceKind.OPENAI, "gpt-4o-mini")

    assert model == minis["openai"]


def test_a_gateways_provider_prefix_names_the_vendor(unit, minis):
    model, _ = ingest(unit, SourceKind.LITELLM, "openrouter/gpt-4o-mini")

    assert model == minis["openrouter"]


def test_a_gateways_bare_name_is_the_model_whose_price_source_key_it_is(unit, minis):
    for vendor in ("azure", "openrouter"):  # LiteLLM's names: OpenAI's is the bare one
        minis[vendor].price_source_key = f"{vendor}/gpt-4o-mini"
        minis[vendor].save()

    model, problems = ingest(unit, SourceKind.LITELLM, "gpt-4o-mini")

    assert model == minis["openai"] and problems == []


def test_a_name_nothing_settles_is_unmatched_with_the_candidates_named(unit, minis):
    for mini in minis.values():  # none has the name as its price-source key
        mini.price_source_key = f"{mini.vendor.slug}/gpt-4o-mini"
        mini.save()

    model, problems = ingest(unit, SourceKind.LITELLM, "gpt-4o-mini")

    assert model is None
    (problem,) = problems
    assert problem["candidates"] == [
        "azure/gpt-4o-mini",
        "openai/gpt-4o-mini",
        "openrouter/gpt-4o-mini",
    ]
    assert "left unmatched" in problem["error"]


def test_a_name_only_one_model_has_is_that_model(unit, minis):
    single = AIModelFactory(slug="solo", vendor_model_id="solo-1")

    model, _ = ingest(unit, SourceKind.LITELLM, "solo-1")

    assert model == single

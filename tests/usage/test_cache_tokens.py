"""Cache tokens are kept apart from input and priced at their own rates (issue 25, item 1):
a cache-heavy unit's list cost is what the vendor bills, not ten times it; a rate the catalog
does not know makes the cost unknown, never the input rate's."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from catalog.models import PriceObservation
from catalog.models.costs import PriceComponents
from tests.factories import AIModelFactory
from tests.usage.conftest import OCTOBER, october_plan, source_at
from usage.choices import FindingKind, SourceKind
from usage.connectors import CONNECTORS
from usage.connectors.base import CostRow, UsageRow
from usage.models import UsageAccount, UsageFinding, UsageRecord, UsageSource
from usage.services.findings import findings_check
from usage.services.ingest import usage_ingest
from usage.services.matching import ModelMatcher
from usage.services.records import records_write
from usage.services.reports import unit_month, unit_month_payload

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 12)
M = 1_000_000
SONNET = PriceComponents(
    input=Decimal("3"),
    output=Decimal("15"),
    cache_read=Decimal("0.3"),
    cache_write=Decimal("3.75"),
    long_context_threshold=200_000,
    long_context_input=Decimal("6"),
    long_context_output=Decimal("22.5"),
)


def priced(vendor_model_id: str, prices: PriceComponents):
    model = AIModelFactory(slug=vendor_model_id, vendor_model_id=vendor_model_id)
    PriceObservation.entry(
        model_id=model.pk,
        prices=prices,
        observed_at=datetime(2026, 1, 1, tzinfo=UTC),
        source="manual",
    ).save()
    return model


@pytest.fixture
def gateway(unit):
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.ANTHROPIC)
    account = UsageAccount.objects.create(source=source, external_id="w1", unit=unit)
    return source, account


def write(gateway, *rows: UsageRow, doubtful=()):
    source, account = gateway
    return records_write(
        source=source,
        accounts={"w1": account},
        rows=rows,
        costs=[],
        since=DAY,
        until=DAY,
        matcher=ModelMatcher(source.kind, unit_ids=[account.unit_id]),
        doubtful=doubtful,
    )


def usage(model: str, **counts: object) -> UsageRow:
    return UsageRow(
        account="w1",
        day=DAY,
        model=model,
        input_tokens=counts.pop("input_tokens", 0),  # type: ignore[arg-type]
        output_tokens=counts.pop("output_tokens", 0),  # type: ignore[arg-type]
        requests=None,
        **counts,  # type: ignore[arg-type]
    )


def test_a_million_cache_read_tokens_cost_the_cache_read_rate_not_the_input_rate(gateway):
    priced("claude-sonnet-4", SONNET)

    write(gateway, usage("claude-sonnet-4", cache_read_tokens=M))

    record = UsageRecord.objects.get()
    assert (record.input_tokens, record.cache_read_tokens) == (0, M)
    assert record.list_cost == Decimal("0.300000")  # not $3.00


def test_each_part_is_priced_at_its_own_rate(gateway):
    priced("claude-sonnet-4", SONNET)

    write(
        gateway,
        usage(
            "claude-sonnet-4",
            input_tokens=M,
            output_tokens=M,
            cache_read_tokens=2 * M,
            cache_write_tokens=M,
        ),
    )

    # 3 + 15 + 2 × 0.30 + 3.75
    assert UsageRecord.objects.get().list_cost == Decimal("22.350000")


def test_cache_tokens_at_a_model_without_a_cache_rate_make_the_list_cost_unknown(gateway):
    priced("plain", PriceComponents(input=Decimal("3"), output=Decimal("15")))

    write(gateway, usage("plain", input_tokens=M, cache_read_tokens=1))

    assert UsageRecord.objects.get().list_cost is None


def test_usage_the_source_puts_above_the_threshold_is_priced_at_the_long_context_tier(gateway):
    priced("claude-sonnet-4", SONNET)

    write(
        gateway,
        usage("claude-sonnet-4", input_tokens=M, output_tokens=M),
        usage("claude-sonnet-4", input_tokens=M, output_tokens=M, long_context=True),
    )

    record = UsageRecord.objects.get()
    assert (record.input_tokens, record.output_tokens) == (2 * M, 2 * M)
    assert record.list_cost == Decimal("46.500000")  # (3 + 15) + (6 + 22.5)


def test_the_units_usage_rows_carry_the_cache_tokens(gateway, unit):
    priced("claude-sonnet-4", SONNET)
    write(gateway, usage("claude-sonnet-4", cache_read_tokens=M, cache_write_tokens=5))

    (row,) = unit_month_payload(unit_month(unit.pk, OCTOBER), OCTOBER)["results"]

    assert (row["cache_read_tokens"], row["cache_write_tokens"]) == (M, 5)
    assert row["list_cost"] == "0.30"


def test_openai_cached_input_is_kept_apart_from_the_input_it_is_part_of(fake, priced_catalog, unit):
    source = source_at(fake, SourceKind.OPENAI, {"proj_marketing": unit})

    usage_ingest(since=OCTOBER)

    record = UsageRecord.objects.get(source=source, day=DAY, vendor_model_id="gpt-4o-mini")
    reported = october_plan().volume(october_plan().entries[3], DAY)[0]
    assert record.cache_read_tokens == reported // 10  # what the fake says was cached
    assert record.input_tokens == reported - reported // 10


def litellm_answer(metrics: dict[str, object]) -> dict[str, object]:
    return {
        "results": [
            {
                "date": "2026-10-12",
                "breakdown": {"models": {"claude-sonnet-4": {"metrics": metrics}}},
            }
        ],
        "metadata": {"has_more": False},
    }


def fetch(kind: str, answer: object, accounts: list[str]):
    payload = json.dumps(answer).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=payload))
    with httpx.Client(transport=transport) as client:
        connector = CONNECTORS[kind](client, base_url="https://vendor.test/v1")
        return connector.fetch(accounts=accounts, since=DAY, until=DAY)


def test_litellm_prompt_tokens_less_cache_reads_and_writes_are_the_input():
    metrics = {
        "prompt_tokens": 1000,
        "completion_tokens": 10,
        "cache_read_input_tokens": 700,
        "cache_creation_input_tokens": 200,
        "api_requests": 3,
        "spend": 0.01,
    }

    (row,) = fetch("litellm", litellm_answer(metrics), ["team-a"]).rows

    assert (row.input_tokens, row.cache_read_tokens, row.cache_write_tokens) == (100, 700, 200)


def test_cached_parts_larger_than_the_prompt_are_a_problem_never_a_negative_count():
    metrics = {"prompt_tokens": 10, "cache_read_input_tokens": 700}

    fetched = fetch("litellm", litellm_answer(metrics), ["team-a"])

    assert fetched.rows == []
    assert "exceed the total" in fetched.problems[0]["error"]
    assert fetched.doubtful == {("team-a", DAY)}


def test_the_readme_worked_example_a_cache_heavy_unit_whose_bill_matches_list(gateway, unit):
    """README, "Money that matches the bill": a month of claude-sonnet at $3 / $15, cache reads
    $0.30 and writes $3.75 per million. Anthropic bills $211.50; priced with cache reads as input
    the list would read $690.00 and raise a -69.3 % bill mismatch; priced part by part it is
    $211.50 and there is no finding."""
    priced("claude-sonnet-4", SONNET)
    source, _ = gateway
    row = usage(
        "claude-sonnet-4",
        input_tokens=20 * M,
        output_tokens=4 * M,
        cache_read_tokens=180 * M,
        cache_write_tokens=10 * M,
    )
    bill = CostRow(account="w1", day=DAY, model="claude-sonnet-4", amount=Decimal("211.50"))
    write_with_costs(gateway, [row], [bill])

    record = UsageRecord.objects.get()
    assert (record.list_cost, record.billed_cost) == (Decimal("211.500000"), Decimal("211.500000"))
    as_input = (20 + 180 + 10) * 3 + 4 * 15  # what pricing cache tokens as input said
    assert as_input == 690 and f"{(211.50 - as_input) / as_input:+.1%}" == "-69.3%"
    findings_check(unit_months=[(unit.pk, OCTOBER)])
    assert not UsageFinding.objects.filter(kind=FindingKind.BILL_MISMATCH).exists()


def write_with_costs(gateway, rows, costs):
    source, account = gateway
    return records_write(
        source=source,
        accounts={"w1": account},
        rows=rows,
        costs=costs,
        since=DAY,
        until=DAY,
        matcher=ModelMatcher(source.kind, unit_ids=[account.unit_id]),
    )

"""Usage ingests under the truth rules (issue 25, items 2, 3 and 7): a hostile number is a
problem for its item, every run finishes and a source's failure is its own, a junk item never
deletes a stored record, and a charge no usage explains stays its own line."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from catalog.models import PriceObservation
from catalog.models.costs import PriceComponents
from tests.factories import AIModelFactory
from tests.usage.conftest import OCTOBER, source_at
from usage.choices import SourceKind
from usage.connectors import CONNECTORS
from usage.connectors.base import CostRow, UsageRow
from usage.models import UsageAccount, UsageRecord, UsageSource
from usage.services import ingest
from usage.services.matching import ModelMatcher
from usage.services.records import records_write

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 12)


@pytest.fixture
def org(unit):
    source = UsageSource.objects.create(name="OpenAI org", kind=SourceKind.OPENAI)
    account = UsageAccount.objects.create(source=source, external_id="p1", unit=unit)
    for name in ("gpt-a", "gpt-b"):
        model = AIModelFactory(slug=name, vendor_model_id=name)
        PriceObservation.entry(
            model_id=model.pk,
            prices=PriceComponents(input=Decimal("100000"), output=Decimal("1")),
            observed_at=datetime(2026, 1, 1, tzinfo=UTC),
            source="manual",
        ).save()
    return source, account


def write(org, rows, costs=(), doubtful=()):
    source, account = org
    return records_write(
        source=source,
        accounts={"p1": account},
        rows=rows,
        costs=costs,
        since=DAY,
        until=DAY,
        matcher=ModelMatcher(source.kind, unit_ids=[account.unit_id]),
        doubtful=doubtful,
    )


def row(model: str, input_tokens: int = 1000) -> UsageRow:
    return UsageRow(
        account="p1", day=DAY, model=model, input_tokens=input_tokens, output_tokens=0, requests=1
    )


def stored() -> dict[str, tuple]:
    return {
        r.vendor_model_id: (r.input_tokens, r.list_cost, r.billed_cost)
        for r in UsageRecord.objects.all()
    }


def test_a_list_cost_too_large_for_its_column_is_a_problem_for_that_item_alone(org):
    write(org, [row("gpt-a"), row("gpt-b")])
    before = stored()

    # 10^15 tokens at $100,000 per million: $10^14, past numeric(18, 6).
    result = write(org, [row("gpt-a", 10**15), row("gpt-b", 2000)])

    assert stored() == {"gpt-a": before["gpt-a"], "gpt-b": (2000, Decimal("200.000000"), None)}
    assert ["list_cost out of range" in p["error"] for p in result.problems] == [True]


def test_a_junk_item_never_deletes_the_stored_rows_of_its_account_day(org):
    write(org, [row("gpt-a"), row("gpt-b")])
    before = stored()

    # The new answer has gpt-a; its gpt-b item was junk (a problem for p1 that day).
    write(org, [row("gpt-a", 5000)], doubtful={("p1", DAY)})

    assert stored() == {"gpt-a": (5000, Decimal("500.000000"), None), "gpt-b": before["gpt-b"]}


def test_a_junk_item_whose_account_cannot_be_read_protects_every_account_that_day(org):
    write(org, [row("gpt-a"), row("gpt-b")])

    write(org, [row("gpt-a")], doubtful={(None, DAY)})

    assert set(stored()) == {"gpt-a", "gpt-b"}


def test_a_clean_answer_still_replaces_its_days_whole(org):
    write(org, [row("gpt-a"), row("gpt-b")])

    write(org, [row("gpt-a")])

    assert set(stored()) == {"gpt-a"}


def test_a_charge_no_usage_explains_stays_its_own_line_named_by_it(org):
    costs = [
        CostRow(account="p1", day=DAY, model="gpt-a", amount=Decimal("0.05")),
        CostRow(account="p1", day=DAY, model="Image models", amount=Decimal("4")),
    ]

    write(org, [row("gpt-a"), row("gpt-b")], costs=costs)

    assert stored() == {
        "gpt-a": (1000, Decimal("100.000000"), Decimal("0.050000")),
        "gpt-b": (1000, Decimal("100.000000"), None),
        "Image models": (0, None, Decimal("4.000000")),
    }


def fetch(kind: str, answers: dict[str, object]):
    def answer(request: httpx.Request) -> httpx.Response:
        body = next((b for path, b in answers.items() if path in request.url.path), {"data": []})
        return httpx.Response(200, content=json.dumps(body).encode())

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        connector = CONNECTORS[kind](client, base_url="https://vendor.test/v1")
        return connector.fetch(accounts=["w1"], since=DAY, until=DAY)


def test_an_anthropic_cost_of_1e1000002_cents_is_a_problem_not_an_overflow():
    cost = {"currency": "USD", "amount": "1e1000002", "workspace_id": "w1", "model": "claude"}
    bucket = {"starting_at": "2026-10-12T00:00:00Z", "results": [cost]}

    fetched = fetch("anthropic", {"cost_report": {"data": [bucket], "has_more": False}})

    assert fetched.costs == []
    assert "out of range" in fetched.problems[0]["error"]
    assert fetched.doubtful == {("w1", DAY)}


def test_openai_line_items_name_the_model_or_a_line_of_their_own():
    results = [
        {"project_id": "w1", "line_item": "gpt-4o-2024-08-06, input",
         "amount": {"value": 1.5, "currency": "usd"}},
        {"project_id": "w1", "line_item": "Image models",
         "amount": {"value": 4, "currency": "usd"}},
    ]  # fmt: skip
    bucket = {"start_time": 1791763200, "results": results}  # 2026-10-12

    fetched = fetch("openai", {"costs": {"data": [bucket], "has_more": False}})

    assert [(c.model, c.amount) for c in fetched.costs] == [
        ("gpt-4o-2024-08-06", Decimal("1.500000")),
        ("Image models", Decimal("4.000000")),
    ]


def test_a_source_that_breaks_is_closed_with_the_reason_and_the_next_is_still_read(
    fake, priced_catalog, unit, monkeypatch
):
    broken = source_at(fake, SourceKind.ANTHROPIC, {"wrkspc_eng": unit})
    fine = source_at(fake, SourceKind.OPENAI, {"proj_marketing": unit})
    real_write = ingest.records_write

    def write_or_break(**kwargs):
        if kwargs["source"] == broken:
            raise ArithmeticError("a bug on odd input")
        return real_write(**kwargs)

    monkeypatch.setattr(ingest, "records_write", write_or_break)

    result = ingest.usage_ingest(since=OCTOBER)

    runs = {run.errors[0]["source"] if run.errors else fine.name: run for run in result.runs}
    assert all(run.finished_at is not None for run in result.runs)
    assert "ArithmeticError" in runs[broken.name].errors[0]["error"]
    assert UsageRecord.objects.filter(source=fine).exists()
    assert not UsageRecord.objects.filter(source=broken).exists()

"""The usage tests' world: the fake vendor on loopback serving a fixed October of usage, a
small catalog priced since January, Marketing and Engineering with accounts at each source."""

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from catalog.models import PriceObservation
from catalog.services.catalog_import import models_import_litellm
from fakevendor import data
from fakevendor.server import FakeVendor
from fakevendor.usage import Entry, UsagePlan
from usage.choices import SourceKind
from usage.models import UsageAccount, UsageSource

KEY_ENV = "MODELSHELF_TEST_USAGE_KEY"
MODELS = ["gpt-4o-mini", "gpt-4o", "claude-haiku-4-5", "claude-sonnet-4-5"]
OCTOBER = date(2026, 10, 1)


def october_plan(**changes: object) -> UsagePlan:
    plan = UsagePlan(
        start=OCTOBER,
        end=date(2026, 10, 31),
        page_size=7,
        bill_factor={"anthropic": Decimal("0.88")},
        entries=[
            Entry("litellm", "team-marketing", "gpt-4o-mini", 1_000_000, 200_000, 500),
            Entry("litellm", "team-marketing", "gpt-4o", 100_000, 10_000, 50),
            Entry("litellm", "team-engineering", "claude-sonnet-4-5", 2_000_000, 100_000, 90),
            Entry("openai", "proj_marketing", "gpt-4o-mini", 500_000, 50_000, 100),
            Entry("openai", "proj_marketing", "gpt-4o", 200_000, 20_000, 40),
            Entry("anthropic", "wrkspc_eng", "claude-haiku-4-5", 3_000_000, 600_000, 10),
        ],
    )
    for name, value in changes.items():
        setattr(plan, name, value)
    return plan


@pytest.fixture
def fake() -> Iterator[FakeVendor]:
    full = data.load_cost_map()
    server = FakeVendor(cost_map={k: copy.deepcopy(full[k]) for k in MODELS}, seed=3).start()
    server.usage_plan = october_plan()
    yield server
    server.stop()


@pytest.fixture
def priced_catalog(db, fake: FakeVendor) -> None:
    """The fake's models imported, their first price observed on 1 January."""
    models_import_litellm(raw=fake.cost_map)
    PriceObservation.objects.update(observed_at=datetime(2026, 1, 1, tzinfo=UTC))


def source_at(
    fake: FakeVendor, kind: str, accounts: dict[str, object], prefix: str = ""
) -> UsageSource:
    root = {SourceKind.LITELLM: "litellm", SourceKind.OPENAI: "openai/v1",
            SourceKind.ANTHROPIC: "anthropic/v1"}[kind]  # fmt: skip
    source = UsageSource.objects.create(
        name=f"{kind} org", kind=kind, base_url=f"{fake.url}{prefix}/{root}", key_env=KEY_ENV
    )
    for external_id, unit in accounts.items():
        UsageAccount.objects.create(source=source, external_id=external_id, unit=unit)
    return source


@pytest.fixture(autouse=True)
def usage_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "test-admin-key")

"""The fake vendor on loopback with a few chat models pointed at it, and the demo suites."""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.choices import ApiKind
from catalog.models import Specialty
from evaluations.models import EvalSuite
from evaluations.services.suites import suite_import, suite_input_from_jsonl
from fakevendor import FAKE_KEY_ENV
from fakevendor.server import FakeVendor
from tests.factories import AIModelFactory, VendorFactory

DEMO = Path(__file__).resolve().parents[2] / "evaluations" / "demo_suites"
B = 1_000_000_000


@pytest.fixture
def fake() -> Iterator[FakeVendor]:
    server = FakeVendor(cost_map={}, seed=7, suites=DEMO).start()
    yield server
    server.stop()


@pytest.fixture
def chat_models(db, fake, monkeypatch, settings) -> dict[str, object]:
    """Three OpenAI-format models (small, code specialist, frontier) and one Anthropic one."""
    monkeypatch.setenv(FAKE_KEY_ENV, "test-key")
    settings.VENDOR_RETRY_AFTER_MAX = 0.05
    settings.EVAL_TIMEOUT_SECONDS = 1
    openai = VendorFactory(
        slug="mistral",
        api_kind=ApiKind.OPENAI,
        api_base_url=f"{fake.url}/mistral/v1",
        api_key_env=FAKE_KEY_ENV,
    )
    anthropic = VendorFactory(
        slug="anthropic",
        api_kind=ApiKind.ANTHROPIC,
        api_base_url=f"{fake.url}/anthropic/v1",
        api_key_env=FAKE_KEY_ENV,
    )
    return {
        "small": AIModelFactory(
            vendor=openai, slug="ministral-3b", vendor_model_id="ministral-3b-latest",
            parameters=3 * B, input_price_per_mtok=Decimal("0.04"),
            output_price_per_mtok=Decimal("0.04"),
        ),
        "code": AIModelFactory(
            vendor=openai, slug="codestral", vendor_model_id="codestral-latest",
            parameters=22 * B, input_price_per_mtok=Decimal("0.3"),
            output_price_per_mtok=Decimal("0.9"),
        ),
        "frontier": AIModelFactory(
            vendor=openai, slug="mistral-large", vendor_model_id="mistral-large-latest",
            parameters=675 * B, input_price_per_mtok=Decimal("2"),
            output_price_per_mtok=Decimal("6"),
        ),
        "claude": AIModelFactory(
            vendor=anthropic, slug="claude-opus", vendor_model_id="claude-opus-4-5",
            input_price_per_mtok=Decimal("5"), output_price_per_mtok=None,
        ),
    }  # fmt: skip


def demo_suite(slug: str) -> EvalSuite:
    # Transactional tests flush the specialties the migration created.
    for specialty in ("chat", "code"):
        Specialty.objects.get_or_create(slug=specialty, defaults={"name": specialty.title()})
    text = (DEMO / f"{slug}.jsonl").read_text()
    return suite_import(data=suite_input_from_jsonl(text))


@pytest.fixture
def sql_suite(db) -> EvalSuite:
    return demo_suite("sql-from-questions")

"""The demo shows real figures: seed_demo, then usage_demo against the fake vendor."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from fakevendor import FAKE_KEY_ENV
from fakevendor.server import FakeVendor
from usage.choices import FindingKind
from usage.models import UsageFinding, UsageRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv(FAKE_KEY_ENV, "offline-demo")
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    server = FakeVendor(seed=1).start()
    out = StringIO()
    call_command("usage_demo", url=server.url, stdout=out)
    yield out.getvalue()
    server.stop()


def test_the_demo_ingests_usage_and_raises_the_findings_it_is_built_for(demo):
    assert "0 problems" in demo
    assert not UsageRecord.objects.filter(model__isnull=True).exists()
    assert not UsageRecord.objects.filter(list_cost__isnull=True).exists()
    found = {(f.kind, f.unit.slug, f.subject) for f in UsageFinding.objects.select_related("unit")}
    assert (FindingKind.UNAPPROVED_USE, "marketing", "gpt-4o") in found
    assert (FindingKind.UNAPPROVED_USE, "legal", "gpt-4o-mini") in found
    assert (FindingKind.OVER_FORECAST, "marketing", "gpt-4o-mini") in found
    assert (FindingKind.BILL_MISMATCH, "customer-support", "Anthropic organization") in found
    assert not any(f[0] == FindingKind.UNAPPROVED_USE and f[1] == "engineering" for f in found)
    mismatch = UsageFinding.objects.filter(kind=FindingKind.BILL_MISMATCH).first()
    assert "(-12.0 %)" in mismatch.detail


def test_running_the_demo_again_adds_nothing(demo, settings):
    records, findings = UsageRecord.objects.count(), UsageFinding.objects.count()
    assert records > 0
    server = FakeVendor(seed=1).start()
    try:
        call_command("usage_demo", url=server.url, stdout=StringIO())
    finally:
        server.stop()
    assert (UsageRecord.objects.count(), UsageFinding.objects.count()) == (records, findings)
    assert Decimal(0) not in set(UsageRecord.objects.values_list("list_cost", flat=True))

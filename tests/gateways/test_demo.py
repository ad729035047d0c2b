"""`make run`'s gateway demo: one gateway at the fake vendor, probes for two units, one leaking."""

import pytest
from django.core.management import call_command

from gateways.choices import FindingKind, FindingStatus
from gateways.models import GatewayFinding, GatewayProbe

pytestmark = pytest.mark.django_db


def test_the_demo_gateway_shows_one_unit_leaking(fake, outbound, catalog, monkeypatch, capsys):
    monkeypatch.setenv("GATEWAY_ADMIN_KEY", "sk-admin")
    monkeypatch.setenv("GATEWAY_MARKETING_KEY", "sk-team-marketing")
    monkeypatch.setenv("GATEWAY_ENGINEERING_KEY", "sk-team-engineering")

    call_command("gateway_demo", url=fake.url, force=True)
    call_command("gateway_demo", url=fake.url, force=True)  # idempotent

    assert GatewayProbe.objects.count() == 2
    (finding,) = GatewayFinding.objects.filter(status=FindingStatus.OPEN)
    assert (finding.unit.slug, finding.kind, finding.model_name) == (
        "engineering",
        FindingKind.LEAK,
        "drafts",
    )
    assert fake.gateway.team("marketing").models == ["drafts"]
    assert "also serves “drafts”" in capsys.readouterr().out

"""A fake LiteLLM-like gateway over real HTTP on loopback, two units with a probe key each."""

import pytest

from catalog.choices import AdoptionStatus
from fakevendor.server import FakeVendor
from gateways.models import Gateway, GatewayProbe
from tests.catalog.api_support import adopt
from tests.factories import AIModelFactory


@pytest.fixture
def fake():
    server = FakeVendor().start()
    yield server
    server.stop()


@pytest.fixture
def outbound(settings, fake):
    """The trust boundary lets the check call the fake (issue 24's allow-list)."""
    settings.OUTBOUND_ALLOWED_HOSTS = [fake.url.removeprefix("http://")]
    settings.GATEWAY_TIMEOUT_SECONDS = 0.5  # a timeout test waits this long, not ten seconds
    return settings


@pytest.fixture
def catalog(unit, other_unit):
    """Marketing may call "drafts" (gpt-4o-mini) and once called "old-chat"; Engineering may
    call "codestral"."""
    adopt(unit, AIModelFactory(slug="gpt-4o-mini"), alias="drafts")
    adopt(unit, AIModelFactory(slug="gpt-3.5"), alias="old-chat", status=AdoptionStatus.REVOKED)
    adopt(other_unit, AIModelFactory(slug="codestral"))


@pytest.fixture
def gateway(fake, outbound, catalog, unit, other_unit, monkeypatch):
    """The fake gateway serving both units exactly their lists, with a probe key each."""
    monkeypatch.setenv("GATEWAY_MARKETING_KEY", "sk-team-marketing")
    monkeypatch.setenv("GATEWAY_ENGINEERING_KEY", "sk-team-engineering")
    monkeypatch.setenv("GATEWAY_ADMIN_KEY", "sk-admin")
    fake.gateway.team("marketing").models = ["drafts"]
    fake.gateway.team("engineering").models = ["codestral"]
    gateway = Gateway.objects.create(
        name="Proxy", base_url=f"{fake.url}/gateway", admin_key_env="GATEWAY_ADMIN_KEY"
    )
    for team, env in ((unit, "GATEWAY_MARKETING_KEY"), (other_unit, "GATEWAY_ENGINEERING_KEY")):
        GatewayProbe.objects.create(gateway=gateway, unit=team, key_env=env, team_id=team.slug)
    return gateway

"""The gateways page for catalog admins, and the unit page's one line on its gateway."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gateways.choices import FindingKind
from gateways.models import GatewayFinding, GatewayProbe
from gateways.services.checks import gateways_check
from tests.factories import BusinessUnitFactory

pytestmark = pytest.mark.django_db


def page_for(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_gateways_page_shows_each_gateways_last_check_and_open_findings(
    gateway, fake, catalog_admin
):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]
    gateways_check()

    html = page_for(catalog_admin, "/gateways/")

    assert "Proxy" in html and "2 units probed" in html and "1 open finding" in html
    assert "“codestral” with Marketing&#x27;s key" in html
    assert "Show plan" in html and "Apply plan" in html


def test_the_plan_fragment_shows_what_apply_would_change(gateway, fake, catalog_admin):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]

    html = page_for(catalog_admin, f"/gateways/{gateway.pk}/plan/")

    assert "marketing" in html and "codestral" in html and "max_budget" in html


def test_the_unit_page_says_its_gateway_enforces_its_list(gateway, outsider):
    gateways_check()

    html = page_for(outsider, "/business-units/marketing/")

    assert "Gateway Proxy enforces Marketing's list" in html


def test_the_unit_page_names_the_finding_and_what_to_do_to_its_members(
    gateway, fake, member, outsider
):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]
    gateways_check()

    to_member = page_for(member, "/business-units/marketing/")
    to_outsider = page_for(outsider, "/business-units/marketing/")

    assert "does not enforce Marketing's list" in to_member
    assert "“codestral”" in to_member and "Next step" in to_member
    assert "Acknowledge" not in to_member  # members read findings; managers act on them
    assert "does not enforce" in to_outsider and "“codestral”" not in to_outsider


def _findings_for(gateway, units: range) -> None:
    now = timezone.now()
    for n in units:
        unit = BusinessUnitFactory(slug=f"extra-{n}")
        probe = GatewayProbe.objects.create(gateway=gateway, unit=unit, key_env="GATEWAY_X_KEY")
        GatewayFinding.objects.create(
            gateway=gateway, probe=probe, unit=unit, kind=FindingKind.LEAK, model_name="m",
            detail="d", first_seen=now, last_seen=now,
        )  # fmt: skip


@pytest.mark.parametrize(
    "url", ["/gateways/", "/api/v1/gateway-findings/", "/business-units/extra-0/"]
)
def test_gateway_pages_and_lists_cost_the_same_queries_for_one_finding_or_ten(
    gateway, catalog_admin, url
):
    client = Client()
    client.force_login(catalog_admin)
    counts = []
    for units in (range(1), range(1, 10)):
        _findings_for(gateway, units)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]

"""Gateway findings go through the usage findings' workflow (issue 28): acknowledged with a
note, resolved with a reason, by the same service, on the unit page and in the API."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gateways.choices import FindingStatus
from gateways.models import GatewayFinding
from gateways.services.checks import gateways_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def leak(gateway, fake):
    """The gateway serves Engineering's codestral to Marketing: an open leak."""
    fake.gateway.team("marketing").models = ["drafts", "codestral"]
    gateways_check()
    return GatewayFinding.objects.get(unit__slug="marketing", model_name="codestral")


def test_the_api_acknowledges_and_resolves_a_gateway_finding(leak, approver, member):
    api = APIClient()
    api.force_authenticate(approver)
    url = f"/api/v1/gateway-findings/{leak.pk}/"
    acknowledged = api.post(url + "acknowledge/", {"note": "Asked the proxy team"}, format="json")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"] == approver.username
    assert acknowledged.json()["note"] == "Asked the proxy team"
    listed = api.get("/api/v1/gateway-findings/?status=acknowledged").json()
    assert [f["id"] for f in listed["results"]] == [leak.pk]
    assert api.post(url + "resolve/", {"note": " "}, format="json").status_code == 400
    resolved = api.post(url + "resolve", {"note": "Key rotated"}, format="json").json()
    assert resolved["status"] == "resolved" and resolved["resolved_by"] == approver.username
    assert resolved["resolution"].endswith("Key rotated")
    assert api.post(url + "resolve/", {"note": "again"}, format="json").status_code == 409

    api.force_authenticate(member)
    assert api.post(url + "acknowledge/", {}, format="json").status_code == 403


def test_outsiders_get_404_for_a_gateway_finding(leak, outsider):
    api = APIClient()
    api.force_authenticate(outsider)
    url = f"/api/v1/gateway-findings/{leak.pk}/acknowledge/"
    assert api.post(url, {}, format="json").status_code == 404


def test_a_manager_acknowledges_on_the_unit_page_and_sees_who_did(leak, manager):
    client = Client()
    client.force_login(manager)
    page = client.get("/business-units/marketing/").content.decode()
    assert "Gateway leak" in page and "Next step" in page and "Acknowledge" in page
    client.post(
        f"/gateways/findings/{leak.pk}/acknowledge/",
        {"note": "Proxy team on it", "next": "/business-units/marketing/"},
    )
    page = client.get("/business-units/marketing/").content.decode()
    assert f"Acknowledged by {manager.username}" in page and "Proxy team on it" in page
    assert GatewayFinding.objects.get(pk=leak.pk).status == FindingStatus.ACKNOWLEDGED


def test_a_later_check_resolves_an_acknowledged_finding_it_no_longer_sees(leak, fake, manager):
    client = Client()
    client.force_login(manager)
    client.post(f"/gateways/findings/{leak.pk}/acknowledge/", {"note": "Fixing"})
    fake.gateway.team("marketing").models = ["drafts"]
    gateways_check()
    leak.refresh_from_db()
    assert leak.status == FindingStatus.RESOLVED and leak.resolved_by is None
    assert leak.resolution == "A later check no longer saw it."


def test_a_finding_a_person_resolved_reopens_when_the_gateway_still_leaks(leak, manager):
    client = Client()
    client.force_login(manager)
    client.post(f"/gateways/findings/{leak.pk}/resolve/", {"note": "Should be fixed now"})
    assert GatewayFinding.objects.get(pk=leak.pk).resolved_by == manager
    gateways_check()  # the gateway still serves codestral to Marketing
    leak.refresh_from_db()
    assert leak.status == FindingStatus.OPEN and leak.resolved_by is None


def _findings_on_usage(client: Client, query: str = "") -> str:
    page = client.get(f"/usage/{query}").content.decode()
    return page[page.index('id="gateway-findings-all"') :]


def test_the_company_view_counts_and_filters_gateway_findings_by_status_and_unit(leak, approver):
    client = Client()
    client.force_login(approver)
    found = _findings_on_usage(client)
    assert "1 open" in found and "Gateway leak" in found and "Marketing" in found
    assert "Acknowledge" in found  # approvers act on them here, as on usage findings
    client.post(f"/gateways/findings/{leak.pk}/acknowledge/", {"note": "On it", "next": "/usage/"})
    assert "1 acknowledged" in _findings_on_usage(client)
    assert "Gateway leak" in _findings_on_usage(client, "?status=acknowledged")
    assert "No gateway finding matches" in _findings_on_usage(client, "?status=open")
    assert "Gateway leak" not in _findings_on_usage(client, "?unit=engineering")
    assert (
        'id="gateway-findings-all"'
        not in client.get("/usage/?kind=unapproved_use").content.decode()
    )


def test_the_company_view_shows_gateway_findings_only_to_who_may_see_them(leak, outsider, member):
    client = Client()
    client.force_login(outsider)
    assert "Gateway leak" not in _findings_on_usage(client)
    client.force_login(member)  # Marketing's own
    found = _findings_on_usage(client)
    assert "Gateway leak" in found and "Acknowledge" not in found

"""Findings with a next step (issue 28, item 3): open → acknowledged (by whom, a note) →
resolved (by data, or by a person with a reason), on the pages and in the API."""

import pytest
from rest_framework.test import APIClient

from tests.usage.test_findings import OCTOBER, check, month  # noqa: F401 - fixture
from usage.choices import FindingStatus
from usage.models import UsageFinding

pytestmark = pytest.mark.django_db


@pytest.fixture
def shadow_use(month, unit):  # noqa: F811 - the imported fixture, requested by name
    """Marketing used `shadow` in October without an adoption: an open finding."""
    record, gateway, _, _, shadow = month
    record(gateway, 3, shadow, "1.25", "1.25")
    check(unit)
    return UsageFinding.objects.get(subject="shadow-1")


def test_the_unit_page_links_the_model_and_offers_the_next_step(client, manager, shadow_use):
    client.force_login(manager)
    page = client.get("/business-units/marketing/").content.decode()
    assert f'href="/requests/new/?model={shadow_use.model.slug}"' in page
    assert "Request approval for" in page and "1 open" in page
    assert "Acknowledge" in page and "Resolve" in page


def test_a_manager_acknowledges_with_a_note_and_resolves_with_a_reason(
    client, manager, shadow_use, unit
):
    client.force_login(manager)
    url = f"/usage/findings/{shadow_use.pk}/"
    client.post(url + "acknowledge/", {"note": "Asking the team", "next": "/usage/"})
    shadow_use.refresh_from_db()
    assert shadow_use.status == FindingStatus.ACKNOWLEDGED
    assert (shadow_use.acknowledged_by, shadow_use.note) == (manager, "Asking the team")
    check(unit)  # later data that still shows it leaves it acknowledged
    assert UsageFinding.objects.get(pk=shadow_use.pk).status == FindingStatus.ACKNOWLEDGED

    refused = client.post(url + "resolve/", {"note": " "}, follow=True)
    assert "Say why it is resolved" in refused.content.decode()
    client.post(url + "resolve/", {"note": "A one-off test, now stopped"})
    check(unit)  # a person's resolution holds for its month
    resolved = UsageFinding.objects.get(pk=shadow_use.pk)
    assert resolved.status == FindingStatus.RESOLVED and resolved.resolved_by == manager
    assert resolved.resolution == "frank: A one-off test, now stopped"


def test_members_read_findings_but_do_not_act_on_them(client, member, shadow_use):
    client.force_login(member)
    assert "Acknowledge" not in client.get("/business-units/marketing/").content.decode()
    client.post(f"/usage/findings/{shadow_use.pk}/resolve/", {"note": "mine"})
    assert UsageFinding.objects.get(pk=shadow_use.pk).status == FindingStatus.OPEN


def test_the_api_acknowledges_and_resolves_and_lists_by_status(approver, member, shadow_use):
    api = APIClient()
    api.force_authenticate(approver)
    url = f"/api/v1/usage-findings/{shadow_use.pk}/"
    acknowledged = api.post(url + "acknowledge/", {"note": "Seen"}, format="json").json()
    assert acknowledged["status"] == "acknowledged" and acknowledged["acknowledged_by"] == "bob"
    assert acknowledged["note"] == "Seen"
    listed = api.get("/api/v1/usage-findings/?status=acknowledged").json()
    assert [f["id"] for f in listed["results"]] == [shadow_use.pk]
    assert "note" in api.post(url + "resolve/", {}, format="json").json()
    blank = api.post(url + "resolve/", {"note": "   "}, format="json")
    assert blank.status_code == 400 and "note" in blank.json()
    resolved = api.post(url + "resolve", {"note": "Approved since"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == "bob"
    assert api.post(url + "resolve/", {"note": "again"}, format="json").status_code == 409

    api.force_authenticate(member)
    assert api.post(url + "acknowledge/", {}, format="json").status_code == 403

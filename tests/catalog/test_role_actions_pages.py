# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Role actions on the pages (issue 15, item 16): catalog admins start vendor jobs from /status/,
managers revoke and approvers renew from the unit page, through the API's services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.choices import AdoptionStatus
from catalog.models import Adoption
from core.choices import JobKind
from core.models import JobRun
from tests.catalog.jobs_helpers import catalog_on_fake, fake_vendor  # noqa: F401 - fixtures
from tests.catalog.test_pages_dashboards import _adopt
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor(db):
    vendor = VendorFactory(slug="acme", name="Acme")
    AIModelFactory(vendor=vendor)
    return vendor


def test_a_catalog_admin_syncs_prices_from_the_status_page_and_sees_the_run(
    client, catalog_on_fake, catalog_admin, django_capture_on_commit_callbacks
):
    client.force_login(catalog_admin)
    assert "Sync prices now" in client.get("/status/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/status/run/", {"vendor": "anthropic", "kind": "sync_prices"})
    # Back where the runs are, the vendor still picked, the notice beside them (issue 28).
    location = "/status/?vendor=anthropic&started=sync_prices#job-runs"
    assert response.status_code == 302 and response["Location"] == location
    run = JobRun.objects.get(kind=JobKind.SYNC_PRICES)
    assert run.vendor.slug == "anthropic" and run.finished_at
    page = client.get(location).content.decode()
    assert "Sync prices started for Anthropic: its run is the newest below" in page
    assert '<option value="anthropic" selected>' in page and 'id="job-runs"' in page


def test_others_see_no_job_buttons_and_are_refused_with_our_403(client, member, vendor):
    client.force_login(member)
    assert "Sync prices now" not in client.get("/status/").content.decode()
    response = client.post("/status/run/", {"vendor": "acme", "kind": "check_availability"})
    assert response.status_code == 403 and "Not allowed" in response.content.decode()
    assert client.post("/status/run/", {"vendor": "acme", "kind": "rm"}).status_code == 403


def test_a_bad_job_kind_or_vendor_is_never_a_500(client, catalog_admin, vendor):
    client.force_login(catalog_admin)
    assert client.post("/status/run/", {"vendor": "acme", "kind": "rm -rf"}).status_code == 302
    assert client.post("/status/run/", {"vendor": "nope", "kind": "sync_prices"}).status_code == 404


def test_a_manager_revokes_and_an_approver_renews_from_the_unit_page(
    client, manager, approver, member, unit
):
    renewed = _adopt(unit, AIModelFactory(name="Keep"), "Drafts", 1, 1)
    revoked = _adopt(unit, AIModelFactory(name="Drop"), "Search", 1, 1)
    Adoption.objects.filter(pk=renewed.pk).update(expires_at=timezone.now() + timedelta(days=3))

    client.force_login(member)
    page = client.get(f"/business-units/{unit.slug}/").content.decode()
    assert "Revoke" not in page and "Renew" not in page
    client.post(f"/adoptions/{revoked.pk}/revoke/")
    assert Adoption.objects.get(pk=revoked.pk).status == AdoptionStatus.ACTIVE

    client.force_login(manager)
    assert (
        'aria-label="Revoke Drop"' in client.get(f"/business-units/{unit.slug}/").content.decode()
    )
    response = client.post(f"/adoptions/{revoked.pk}/revoke/", follow=True)
    assert "Drop revoked for" in response.content.decode()
    assert Adoption.objects.get(pk=revoked.pk).status == AdoptionStatus.REVOKED

    client.force_login(approver)
    response = client.post(f"/adoptions/{renewed.pk}/renew/", follow=True)
    assert "Keep renewed for" in response.content.decode()
    assert Adoption.objects.get(pk=renewed.pk).expires_at > timezone.now() + timedelta(days=300)
    assert client.post(f"/adoptions/{renewed.pk}/delete/").status_code == 404

# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Starting vendor jobs over the API (catalog admins, after commit, 202) and reading runs."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from core.choices import JobKind
from core.models import JobRun
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    catalog_on_fake,
    fake_vendor,
    repriced,
)
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("action", ["sync-prices", "check-availability", "sync-prices/"])
def test_catalog_admin_starts_a_vendor_job_after_commit(
    catalog_on_fake, catalog_admin, action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = client_for(catalog_admin).post(f"/api/v1/vendors/anthropic/{action}")
    assert response.status_code == 202, response.content
    jobs = JobRun.objects.exclude(kind=JobKind.IMPORT_MODELS)
    assert not jobs.exists()  # nothing ran before the commit
    assert len(enqueued) == 1
    enqueued[0]()  # the commit: eager Celery runs the task here
    run = jobs.get()
    assert run.vendor.slug == "anthropic" and run.finished_at
    kind = JobKind.SYNC_PRICES if action.startswith("sync") else JobKind.CHECK_AVAILABILITY
    assert run.kind == kind


@pytest.mark.parametrize("persona", ["member", "approver", "outsider"])
def test_only_catalog_admins_start_jobs(request, persona):
    VendorFactory(slug="acme")
    user = request.getfixturevalue(persona)
    response = client_for(user).post("/api/v1/vendors/acme/sync-prices/")
    assert response.status_code == 403
    assert client_for(user).get("/api/v1/job-runs/").status_code == 403


def test_anonymous_callers_get_401_and_unknown_vendors_404(catalog_admin):
    assert APIClient().post("/api/v1/vendors/acme/sync-prices/").status_code == 401
    response = client_for(catalog_admin).post("/api/v1/vendors/nope/check-availability/")
    assert response.status_code == 404


def test_job_runs_list_counts_and_errors_newest_first(
    catalog_on_fake, catalog_admin, django_assert_max_num_queries
):
    catalog_on_fake.set_cost_map(
        repriced(catalog_on_fake.cost_map, list(catalog_on_fake.cost_map)[:3], 2)
    )
    call_command("sync_prices", "--vendor", "openai", stdout=StringIO(), stderr=StringIO())
    call_command("check_availability", stdout=StringIO(), stderr=StringIO())
    client = client_for(catalog_admin)
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/job-runs/").json()
    kinds = [r["kind"] for r in body["results"]]
    assert kinds[:3] == ["check_availability", "check_availability", "sync_prices"]
    sync = next(r for r in body["results"] if r["kind"] == "sync_prices")
    assert (sync["vendor"], sync["changed"], sync["succeeded"]) == ("openai", 3, True)
    filtered = client.get("/api/v1/job-runs/?kind=sync_prices&vendor=openai").json()
    assert filtered["count"] == 1
    assert client.get("/api/v1/job-runs/?kind=bogus").status_code == 400
    assert client.get("/api/v1/job-runs/?vendor=nope").status_code == 400


def test_commands_print_a_summary_and_refuse_unknown_vendors(catalog_on_fake):
    out = StringIO()
    call_command("sync_prices", stdout=out, stderr=StringIO())
    assert "Price sync finished: 1 source(s): checked 40, changed 0" in out.getvalue()
    out = StringIO()
    call_command("check_availability", "--vendor", "openai", stdout=out, stderr=StringIO())
    assert "checked 20, changed 20" in out.getvalue()
    with pytest.raises(CommandError, match="unknown vendor: nope"):
        call_command("sync_prices", "--vendor", "nope", stdout=StringIO(), stderr=StringIO())


def test_use_fake_vendor_is_idempotent(catalog_on_fake):
    out = StringIO()
    call_command("use_fake_vendor", "--url", catalog_on_fake.url, stdout=out)
    assert out.getvalue().startswith("0 vendor(s)")

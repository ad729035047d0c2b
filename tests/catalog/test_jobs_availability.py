# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Availability checks against the fake vendor: the status rules, one row per state change,
failures recorded at once, managers told about outages, uptime from the kept rows."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from catalog.choices import ApiKind
from catalog.models import Adoption, AIModel, AvailabilityCheck, Vendor
from catalog.services.availability import availability_check
from catalog.uptime import uptime_percentages
from core.choices import JobKind
from core.models import JobRun
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    catalog_on_fake,
    fake_vendor,
    free_port,
)
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db


def statuses(slug):
    return set(
        AIModel.objects.filter(vendor__slug=slug).values_list("availability_status", flat=True)
    )


def fault(vendor_slug, kind, field="api_base_url"):
    vendor = Vendor.objects.get(slug=vendor_slug)
    root, rest = getattr(vendor, field).split("/", 3)[:3], getattr(vendor, field).split("/", 3)[3]
    setattr(vendor, field, "/".join(root) + f"/_fault/{kind}/" + rest)
    vendor.save()


def test_listed_models_are_up_and_a_second_check_writes_no_new_rows(catalog_on_fake):
    result = availability_check()

    assert statuses("openai") == statuses("anthropic") == {"up"}
    assert AvailabilityCheck.objects.count() == 40
    model = AIModel.objects.filter(vendor__slug="openai").first()
    assert model.availability_checked_at and model.latency_ms is not None
    assert (result.checked, result.changed) == (40, 40)
    runs = JobRun.objects.filter(kind=JobKind.CHECK_AVAILABILITY)
    assert sorted(r.vendor.slug for r in runs) == ["anthropic", "openai"]

    again = availability_check()
    assert (again.checked, again.changed) == (40, 0)
    assert AvailabilityCheck.objects.count() == 40
    assert AIModel.objects.get(pk=model.pk).availability_checked_at > model.availability_checked_at


def test_a_model_the_vendor_no_longer_lists_is_down(catalog_on_fake):
    gone = AIModelFactory(vendor=Vendor.objects.get(slug="openai"), vendor_model_id="gpt-retired")
    availability_check()
    gone.refresh_from_db()
    assert gone.availability_status == "down"
    assert gone.availability_checks.get().detail == "not listed by the vendor"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("degraded_performance", "degraded"), ("major_outage", "down"), ("full_outage", "down")],
)
def test_the_status_page_degrades_or_downs_every_model(catalog_on_fake, kind, expected):
    fault("openai", kind, "status_page_url")
    availability_check()
    assert statuses("openai") == {expected}
    assert statuses("anthropic") == {"up"}


@pytest.mark.parametrize(
    ("kind", "http_status"), [("401", 401), ("404", 404), ("500", 500), ("malformed", 200)]
)
def test_a_failed_list_call_downs_the_vendor_at_once_and_is_recorded(
    catalog_on_fake, kind, http_status
):
    fault("anthropic", kind)
    availability_check()
    assert statuses("anthropic") == {"down"}
    assert statuses("openai") == {"up"}
    run = JobRun.objects.get(vendor__slug="anthropic")
    assert run.errors[0]["http_status"] == http_status
    assert (
        AvailabilityCheck.objects.filter(model__vendor__slug="anthropic", status="down").count()
        == 20
    )


def test_timeouts_and_refused_connections_are_down(catalog_on_fake, settings):
    settings.VENDOR_TIMEOUT_SECONDS = 0.5
    fault("anthropic", "timeout")
    Vendor.objects.filter(slug="openai").update(
        api_base_url=f"http://127.0.0.1:{free_port()}/v1", status_page_url=""
    )
    availability_check()
    assert statuses("anthropic") == statuses("openai") == {"down"}
    assert "timed out" in JobRun.objects.get(vendor__slug="anthropic").errors[0]["error"]
    assert "cannot connect" in JobRun.objects.get(vendor__slug="openai").errors[0]["error"]


def test_rate_limiting_gives_no_verdict_and_asks_for_a_retry(catalog_on_fake):
    availability_check()
    fault("openai", "429")
    result = availability_check()
    assert statuses("openai") == {"up"}
    assert result.retry_vendors == ["openai"] and result.retry_after == 3


def test_openrouter_models_are_judged_by_their_endpoints(catalog_on_fake):
    vendor = VendorFactory(
        slug="openrouter",
        api_kind=ApiKind.OPENROUTER,
        api_base_url=f"{catalog_on_fake.url}/openrouter/api/v1",
    )
    served = AIModelFactory(vendor=vendor, vendor_model_id="modelshelf/long-context")
    missing = AIModelFactory(vendor=vendor, vendor_model_id="modelshelf/never-heard-of-it")
    availability_check(vendor_slugs=["openrouter"])
    served.refresh_from_db()
    missing.refresh_from_db()
    assert (served.availability_status, missing.availability_status) == ("up", "down")

    vendor.api_base_url = f"{catalog_on_fake.url}/_fault/empty/openrouter/api/v1"
    vendor.save()
    availability_check(vendor_slugs=["openrouter"])
    assert statuses("openrouter") == {"down"}


def test_models_of_a_vendor_with_nothing_to_ask_are_not_monitored_not_unknown(db):
    model = AIModelFactory(availability_status="up")
    unchecked = AIModelFactory()
    assert unchecked.availability_status == "unknown"  # "not checked yet"
    availability_check()
    model.refresh_from_db()
    unchecked.refresh_from_db()
    assert model.availability_status == unchecked.availability_status == "not_monitored"
    assert model.availability_checked_at is None
    assert AvailabilityCheck.objects.get(model=model).status == "not_monitored"
    assert not JobRun.objects.exists()  # nothing was asked of a vendor
    availability_check()
    assert AvailabilityCheck.objects.filter(model=model).count() == 1  # no change, no row


def test_up_to_down_and_back_tells_unit_managers(
    catalog_on_fake, manager, unit, django_capture_on_commit_callbacks
):
    model = AIModel.objects.filter(vendor__slug="anthropic").first()
    Adoption.objects.create(
        unit=unit, model=model, use_case="Support replies", approved_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
        expected_monthly_input_tokens=10_000_000, expected_monthly_output_tokens=1_000_000,
    )  # fmt: skip
    availability_check()
    assert mail.outbox == []  # unknown → up is not news

    fault("anthropic", "major_outage", "status_page_url")
    with django_capture_on_commit_callbacks(execute=True):
        availability_check()
    assert len(mail.outbox) == 1
    assert model.name in mail.outbox[0].body and "down" in mail.outbox[0].body
    assert "estimated monthly cost $" in mail.outbox[0].body

    Vendor.objects.filter(slug="anthropic").update(
        status_page_url=f"{catalog_on_fake.url}/status/anthropic"
    )
    with django_capture_on_commit_callbacks(execute=True):
        availability_check()
    assert len(mail.outbox) == 2 and "up again" in mail.outbox[1].body


def test_uptime_is_computed_from_the_state_changes_kept(db):
    model = AIModelFactory()
    now = timezone.now()
    for hours_ago, status in [(30, "up"), (12, "down"), (6, "up")]:
        AvailabilityCheck.objects.create(
            model=model, checked_at=now - timedelta(hours=hours_ago), status=status
        )
    uptime = uptime_percentages(model.pk, now=now)
    assert uptime["last_24h"] == pytest.approx(75, 0.01)
    assert uptime_percentages(AIModelFactory().pk, now=now)["last_7d"] is None


def test_the_check_queries_do_not_grow_per_vendor_call(
    catalog_on_fake, django_assert_max_num_queries
):
    availability_check()
    with django_assert_max_num_queries(13):
        availability_check()

"""Issue 15 in Chromium, at 1366 px and 390 px: pages that tell the whole truth at a glance."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import ApprovalRequest
from tests.factories import AIModelFactory

WIDTHS = [1366, 390]


@pytest.fixture
def deprecating(db):
    successor = AIModelFactory(name="Flash Next")
    return AIModelFactory(
        name="Flash Soon",
        deprecation_date=timezone.localdate() + timedelta(days=3),
        successor=successor,
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_a_model_deprecating_soon_is_flagged_in_catalog_compare_queue_and_form(
    open_as, member, approver, unit, deprecating, width
):
    alice = open_as(member)
    alice.set_viewport_size({"width": width, "height": 900})
    alice.goto("/")
    row = alice.locator("#results tbody tr", has_text="Flash Soon")
    expect(row.locator(".lifecycle")).to_have_text("deprecates in 3 days → Flash Next")
    expect(row.locator(".lifecycle")).not_to_contain_text("Deprecated")

    alice.get_by_label("Lifecycle").select_option("deprecating")
    expect(alice.locator("#results tbody th[scope=row] a")).to_have_text(["Flash Soon"])

    alice.goto(f"/compare/?m={deprecating.slug}&m={deprecating.successor.slug}")
    expect(alice.locator("thead .lifecycle")).to_have_text(["deprecates in 3 days → Flash Next"])

    alice.goto(f"/requests/new/?model={deprecating.slug}")
    warning = alice.locator("#lifecycle-warning")
    expect(warning).to_contain_text("Flash Soon deprecates in 3 days")
    expect(warning.get_by_role("link", name="Flash Next")).to_be_visible()

    ApprovalRequest.objects.create(model=deprecating, unit=unit, requester=member, use_case="Bot")
    bob = open_as(approver)
    bob.set_viewport_size({"width": width, "height": 900})
    bob.goto("/approvals/")
    queued = bob.locator("#approval-" + str(ApprovalRequest.objects.get().pk))
    expect(queued.locator(".lifecycle")).to_be_visible()
    expect(queued.locator(".lifecycle")).to_have_text("deprecates in 3 days → Flash Next")

"""The approval workflow in a real browser, from the request form to the unit's page."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import ApprovalRequest
from tests.factories import AIModelFactory


@pytest.fixture
def haiku(db):
    return AIModelFactory(name="Haiku Fast")


def test_member_requests_approver_approves_and_the_unit_uses_the_model(
    open_as, member, approver, unit, haiku
):
    alice = open_as(member)
    alice.goto(f"/models/{haiku.slug}/")
    alice.get_by_role("button", name="Request approval").click()
    expect(alice.get_by_label("Business unit")).to_have_value("marketing")
    alice.get_by_label("Use case").fill("Ticket triage")
    alice.get_by_label("Data classification").select_option("confidential")
    expect(alice.locator("#error-data_classification")).to_contain_text("cleared for internal")
    alice.get_by_label("Data classification").select_option("internal")
    expect(alice.locator("#error-data_classification")).to_be_empty()
    alice.get_by_label("Expected monthly input tokens").fill("5000000")
    alice.get_by_label("Expected monthly output tokens").fill("1000000")
    alice.get_by_label("Justification").fill("Fast and cheap enough for triage.")
    alice.get_by_role("button", name="Submit request").click()
    expect(alice.get_by_text("Request submitted")).to_be_visible()
    expect(alice.get_by_text("Pending")).to_be_visible()

    bob = open_as(approver)
    bob.goto("/approvals/")
    bob.evaluate("window.stillTheSamePage = true")
    row = bob.locator("tr", has_text="Haiku Fast")
    row.get_by_label("Comment").fill("Fits the budget.")
    row.get_by_role("button", name="Approve").click()
    expect(row).to_contain_text("Approved")
    expect(row).to_contain_text("Fits the budget.")
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)
    assert bob.evaluate("window.stillTheSamePage") is True

    alice.goto("/business-units/marketing/")
    adopted = alice.locator("table tr", has_text="Haiku Fast")
    expect(adopted).to_contain_text("Ticket triage")


def test_rejection_shows_its_comment_to_the_requester(open_as, member, approver, unit, haiku):
    ApprovalRequest.objects.create(model=haiku, unit=unit, requester=member, use_case="Chatbot")
    bob = open_as(approver)
    bob.goto("/approvals/")
    row = bob.locator("tr", has_text="Haiku Fast")
    row.get_by_role("button", name="Reject").click()
    expect(row).to_contain_text("needs a comment")
    row.get_by_label("Comment").fill("Use the approved Sonnet instead.")
    row.get_by_role("button", name="Reject").click()
    expect(row).to_contain_text("Rejected")

    alice = open_as(member)
    alice.goto("/requests/")
    mine = alice.locator("tr", has_text="Haiku Fast")
    expect(mine).to_contain_text("Rejected")
    expect(mine).to_contain_text("by bob")
    expect(mine).to_contain_text("Use the approved Sonnet instead.")


def test_non_approver_has_no_approvals_queue(open_as, member):
    page = open_as(member)
    page.goto("/")
    expect(page.get_by_role("link", name="Approvals")).to_have_count(0)
    response = page.goto("/approvals/")
    assert response.status == 404
    expect(page).to_have_url(re.compile(r"/approvals/$"))

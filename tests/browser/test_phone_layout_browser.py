"""On a 390 px phone, decisions and costs are on screen (issue 15, item 4); the pages every test
sweeps, with the demo personas. No sideways scroll on any page: test_every_page_browser.py."""

from importlib import import_module
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models.functions import Length

from catalog.models import AIModel, ApprovalRequest, Specialty

PHONE = {"width": 390, "height": 844}
PERSONAS = ["alice", "frank", "bob", "carol", "victor"]


SPECIALTIES = import_module("catalog.migrations.0002_specialties").SPECIALTIES


@pytest.fixture
def demo(settings):
    """The demo company; specialties re-made first, as a browser test's flush removes them."""
    for slug, name, description in SPECIALTIES:
        Specialty.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    settings.DEBUG = False


def main_pages() -> list[str]:
    """Every main page, with the demo's widest content: the longest model URL and id."""
    long_url = AIModel.objects.order_by(Length("model_card_url").desc()).first()
    long_id = AIModel.objects.order_by(Length("vendor_model_id").desc()).first()
    approved = list(AIModel.objects.filter(status="approved").values_list("slug", flat=True)[:4])
    request = ApprovalRequest.objects.order_by("id").first()
    return [
        "/",
        "/?status=any&ordering=input_price",
        f"/models/{long_url.slug}/",
        f"/models/{long_id.slug}/",
        "/compare/?" + "&".join(f"m={slug}" for slug in approved),
        f"/requests/new/?model={approved[0]}",
        "/requests/",
        f"/requests/{request.pk}/",
        "/approvals/",
        "/business-units/",
        "/business-units/marketing/",
        "/business-units/engineering/",
        "/status/",
        "/recommend/?specialty=chat&monthly_input_tokens=10000000&monthly_output_tokens=2000000",
        "/accounts/profile/",
        "/no-such-page/",
    ]


def _within_phone(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_on_a_phone_decisions_and_costs_are_on_screen(open_as, demo):
    users = get_user_model().objects
    bob = open_as(users.get(username="bob"))
    bob.set_viewport_size(PHONE)
    bob.goto("/approvals/")
    approve = bob.get_by_role("button", name="Approve").first
    assert _within_phone(bob, approve) and _within_phone(
        bob, bob.get_by_role("button", name="Reject").first
    )

    frank = open_as(users.get(username="frank"))
    frank.set_viewport_size(PHONE)
    frank.goto("/business-units/marketing/")
    assert _within_phone(frank, frank.locator("td[data-label='Est. cost / month']").first)
    frank.goto("/recommend/?specialty=chat&monthly_input_tokens=10000000")
    assert _within_phone(frank, frank.locator("td[data-label='Est. monthly cost']").first)

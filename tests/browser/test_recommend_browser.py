"""The right-sizing wizard in a real browser: fill it in, get the cheapest model, request it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Specialty
from tests.factories import AIModelFactory


@pytest.fixture
def chat_models(db):
    # An earlier transactional test's flush may have taken the migrated specialties with it.
    Specialty.objects.get_or_create(slug="chat", defaults={"name": "Chat"})

    def chat(name, inp, out, **kwargs):
        return AIModelFactory(
            name=name,
            input_price_per_mtok=Decimal(inp),
            output_price_per_mtok=Decimal(out),
            specialties=["chat"],
            **kwargs,
        )

    return [
        chat("Frontier Pro", "3", "15"),
        chat("Mini Chat", "0.15", "0.6"),
        chat("Tiny Window", "0.01", "0.01", context_window=4_000),
    ]


def test_wizard_recommends_the_cheapest_model_and_links_to_its_request(
    open_as, member, unit, chat_models
):
    page = open_as(member)
    page.goto("/")
    page.get_by_role("link", name="Recommend").click()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Specialty").select_option(label="Chat")
    page.get_by_label("Monthly input tokens").fill("50000000")
    page.get_by_label("Monthly output tokens").fill("10000000")
    page.get_by_label("Minimum context").fill("32000")
    page.get_by_role("button", name="Recommend").click()

    rows = page.locator("#recommendations tbody tr")
    expect(rows.first).to_contain_text("Mini Chat")
    expect(rows.first).to_contain_text("$13.50")
    expect(rows.nth(1)).to_contain_text("Frontier Pro")
    expect(page.locator(".excluded")).to_contain_text("Tiny Window — context 4,000 < 32,000")
    expect(page).to_have_url(re.compile(r"/recommend/\?specialty=chat&monthly_input_tokens="))
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in, not reloaded

    page.get_by_label("Minimum context").fill("-1")
    page.get_by_label("Minimum context").evaluate("field => field.removeAttribute('min')")
    page.get_by_role("button", name="Recommend").click()
    expect(page.locator("#error-min_context")).to_contain_text("greater than or equal to 0")
    expect(page.get_by_role("alert").filter(has_text="Minimum context")).to_be_visible()

    page.go_back()
    expect(rows.first).to_contain_text("Mini Chat")
    expect(page.get_by_label("Minimum context")).to_have_value("32000")

    rows.first.get_by_role("button", name="Request approval").click()
    expect(page).to_have_url(re.compile(r"/requests/new/\?model=" + chat_models[1].slug + "$"))
    expect(page.get_by_role("heading", name="Request approval")).to_be_visible()
    expect(page.get_by_label("Business unit")).to_have_value("marketing")

"""The rest of issue 15 in Chromium, at 1366 px and 390 px: not-monitored models (item 3), what
savings give up (item 6), a way back from the API docs (item 19; no console error on any page:
test_every_page_browser.py), and the model page's live monthly cost."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.choices import AdoptionStatus, AvailabilityStatus, PriceUnit, SizeClass
from catalog.models import Adoption, Evaluation, Specialty
from tests.factories import AIModelFactory, VendorFactory

WIDTHS = [1366, 390]


def _at(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    return page


def _row_names(page):
    return page.locator("#results tbody th[scope=row] a")


@pytest.fixture
def availabilities(db):
    quiet = VendorFactory(name="Quiet Labs")
    return {
        name: AIModelFactory(name=name, vendor=quiet, availability_status=status)
        for name, status in (
            ("Silent One", AvailabilityStatus.NOT_MONITORED),
            ("Up One", AvailabilityStatus.UP),
            ("Down One", AvailabilityStatus.DOWN),
        )
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_not_monitored_models_are_named_and_counted_never_silently_dropped(
    open_as, member, availabilities, width
):
    page = _at(open_as(member), width)
    page.goto("/")
    expect(page.locator("#not-monitored-note")).to_have_count(0)

    page.get_by_label("Availability").select_option("true")
    expect(_row_names(page)).to_have_text(["Up One"])
    note = page.locator("#not-monitored-note")
    expect(note).to_contain_text("1 not-monitored model matching the other filters is left out")
    expect(note).to_contain_text("Available or not monitored")

    page.get_by_label("Availability").select_option("or_not_monitored")
    expect(page).to_have_url(re.compile(r"available=or_not_monitored"))
    expect(_row_names(page)).to_have_text(["Silent One", "Up One"])
    expect(note).to_contain_text("Including 1 not-monitored model")
    row = page.locator("#results tbody tr", has_text="Silent One")
    expect(row.locator(".dot-not_monitored")).to_have_attribute("title", "Not monitored")
    expect(row.locator(".avail-text")).to_have_text("not monitored")
    expect(page.locator("#availability-legend")).to_contain_text("not monitored")

    silent = availabilities["Silent One"]
    page.goto(f"/models/{silent.slug}/")
    expect(page.locator(".page-head")).to_contain_text("Not monitored")
    expect(page.locator("#not-monitored")).to_contain_text(
        "Quiet Labs publishes neither a model list nor a status page"
    )
    expect(page.get_by_text("Last check", exact=True)).to_have_count(0)
    expect(page.get_by_text("Unknown", exact=True)).to_have_count(0)

    page.goto(f"/compare/?m={silent.slug}&m={availabilities['Up One'].slug}")
    availability = page.locator("table.compare tr", has_text="Availability")
    expect(availability.locator("td")).to_have_text(["Not monitored", "Up"])


@pytest.fixture
def switchable(unit):
    chat, _ = Specialty.objects.get_or_create(slug="chat", defaults={"name": "Chat"})
    big = AIModelFactory(
        name="Big Chat",
        input_price_per_mtok=Decimal("3"),
        output_price_per_mtok=Decimal("15"),
        size_class=SizeClass.LARGE,
        context_window=200_000,
        max_output_tokens=64_000,
        max_data_classification="confidential",
        open_weights=True,
        availability_status=AvailabilityStatus.UP,
    )
    small = AIModelFactory(
        name="Small Chat",
        input_price_per_mtok=Decimal("0.1"),
        output_price_per_mtok=Decimal("0.4"),
        size_class=SizeClass.SMALL,
        context_window=200_000,
        max_output_tokens=8_000,
        deprecation_date=timezone.localdate() + timedelta(days=40),
        availability_status=AvailabilityStatus.NOT_MONITORED,
    )
    for model, score in ((big, "0.9"), (small, "0.7")):
        model.specialties.set([chat])
        Evaluation.objects.create(
            model=model,
            task="mmlu",
            metric="accuracy",
            score=Decimal(score),
            source="test",
            date=timezone.localdate(),
        )
    now = timezone.now()
    Adoption.objects.create(
        unit=unit,
        model=big,
        use_case="Support replies",
        status=AdoptionStatus.ACTIVE,
        approved_at=now,
        expires_at=now + timedelta(days=365),
        expected_monthly_input_tokens=10_000_000,
        expected_monthly_output_tokens=2_000_000,
    )
    return big, small


@pytest.mark.parametrize("width", WIDTHS)
def test_a_saving_says_what_switching_gives_up(open_as, manager, unit, switchable, width):
    page = _at(open_as(manager), width)
    page.goto(f"/business-units/{unit.slug}/")
    saving = page.locator("li", has_text="Small Chat")
    expect(saving).to_contain_text("saves $58.20/month")
    given_up = saving.locator(".trade-offs")
    for words in (
        "Gives up:",
        "shorter answers (at most 8K tokens instead of 64K)",
        "a smaller model (small instead of large)",
        "lower mmlu score (0.7 instead of 0.9 accuracy)",
        "cleared only for internal data (the current model: confidential)",
        "an earlier end of life (deprecates",
        "not monitored",
        "no open weights",
        "another vendor",
    ):
        expect(given_up).to_contain_text(words)
    box = given_up.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_the_model_page_estimates_the_monthly_cost_as_volumes_are_typed(open_as, member, width):
    chat = AIModelFactory(
        name="Priced Chat", input_price_per_mtok=Decimal("3"), output_price_per_mtok=Decimal("15")
    )
    rerank = AIModelFactory(
        name="Rerank Q",
        price_unit=PriceUnit.PER_QUERY,
        input_price_per_mtok=Decimal("0.002"),
        output_price_per_mtok=None,
    )
    page = _at(open_as(member), width)
    page.goto(f"/models/{chat.slug}/")
    live = page.locator("#live-cost")
    expect(live).to_have_text("Enter the monthly token volumes to see the estimated cost.")
    with page.expect_response(lambda r: f"/models/{chat.slug}/" in r.url):
        page.get_by_label("Input tokens a month").fill("10000000")
    expect(live).to_have_text("Estimated cost: $30.00 a month at today's price.")
    page.get_by_label("Output tokens a month").fill("2000000")
    expect(live).to_have_text("Estimated cost: $60.00 a month at today's price.")
    expect(page).to_have_url(re.compile(f"/models/{chat.slug}/$"))  # typing is not navigation

    # htmx injects no indicator <style> (the CSP would refuse it): the stylesheet hides them.
    hidden = page.evaluate(
        "() => { const e = document.createElement('span'); e.className = 'htmx-indicator';"
        " document.body.append(e); return getComputedStyle(e).opacity; }"
    )
    assert hidden == "0"

    page.goto(f"/models/{rerank.slug}/")
    expect(page.get_by_label("Output tokens a month")).to_have_count(0)
    page.get_by_label("Queries a month").fill("5000")
    expect(live).to_have_text("Estimated cost: $10.00 a month at today's price.")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_api_docs_lead_back_to_the_app(open_as, member, width):
    page = _at(open_as(member), width)
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info")).to_contain_text("Modelshelf API")
    # "Try it out" works under the strict CSP (the fixture fails the test on any violation).
    page.locator("#operations-models-models_list .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table .response-col_status").last).to_have_text("200")
    page.get_by_role("link", name="← Back to the catalog").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Model catalog")).to_be_visible()

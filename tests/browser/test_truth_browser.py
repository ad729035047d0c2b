"""Issue 15 in Chromium, at 1366 px and 390 px: pages that tell the whole truth at a glance."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.choices import PriceSource, PriceUnit
from catalog.models import ApprovalRequest, PriceObservation
from tests.factories import AIModelFactory, VendorFactory

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


@pytest.mark.parametrize("width", WIDTHS)
def test_a_rerank_model_is_priced_per_query_in_list_and_chart_legend(open_as, member, width):
    rerank = AIModelFactory(
        name="Rerank",
        price_unit=PriceUnit.PER_QUERY,
        input_price_per_mtok=Decimal("0.002"),
        output_price_per_mtok=None,
    )
    AIModelFactory(name="Cheap Chat", input_price_per_mtok=Decimal("0.10"))
    PriceObservation.objects.create(
        model=rerank,
        observed_at=timezone.now() - timedelta(days=2),
        input_price_per_mtok=Decimal("0.002"),
        price_unit=PriceUnit.PER_QUERY,
        source=PriceSource.MANUAL,
    )
    page = open_as(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/?ordering=input_price")
    expect(page.locator("#results tbody th[scope=row] a")).to_have_text(["Cheap Chat", "Rerank"])
    expect(
        page.locator("#results tbody tr", has_text="Rerank").locator(".other-unit")
    ).to_have_text("in $0.002 per query")
    page.goto(f"/models/{rerank.slug}/")
    canvas = page.locator("canvas[data-chart=price]")
    expect(canvas).to_have_attribute("data-drawn", "1")
    labels = canvas.evaluate("c => Chart.getChart(c).data.datasets.map(d => d.label)")
    assert labels == ["Input $ per query", "Output $ per query"]
    ticks = canvas.evaluate("c => Chart.getChart(c).scales.x.ticks.map(t => t.label)")
    shown = [t for t in ticks if t]
    assert len(shown) == len(set(shown)) and len(shown) >= 2  # one label per day, a week wide


@pytest.mark.parametrize("width", WIDTHS)
def test_a_noisy_imported_price_reads_rounded_with_the_exact_value_on_hover(open_as, member, width):
    AIModelFactory(name="Noisy", input_price_per_mtok=Decimal("15.00002"))
    page = open_as(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    cell = page.locator("#results tbody tr", has_text="Noisy").locator("[title='$15.00002']")
    expect(cell).to_have_text("$15.00")
    expect(page.locator("#results")).not_to_contain_text("15.00002")


@pytest.mark.parametrize("width", WIDTHS)
def test_paging_says_where_you_are_jumps_and_changes_size(open_as, member, width):
    for index in range(60):
        AIModelFactory(name=f"Chat {index:03d}")
    page = open_as(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    expect(page.locator(".result-count")).to_have_text("1–50 of 60 models")
    page.get_by_label("Page", exact=True).fill("2")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".result-count")).to_have_text("51–60 of 60 models")
    expect(page).to_have_url(re.compile(r"page=2"))
    page.wait_for_function(  # settled: htmx has wired the new controls
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    page.get_by_label("Per page").select_option("25")
    expect(page.locator(".result-count")).to_have_text("1–25 of 60 models")
    expect(page).to_have_url(re.compile(r"page_size=25"))


@pytest.mark.parametrize("width", WIDTHS)
def test_focus_on_the_dark_bar_is_visible_and_availability_is_no_radio_lookalike(
    open_as, member, width
):
    page = open_as(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    brand = page.locator(".topbar a.brand")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(brand).to_be_focused()
    outline = brand.evaluate(
        "a => [getComputedStyle(a).outlineStyle, getComputedStyle(a).outlineColor]"
    )
    assert outline == ["solid", "rgb(255, 213, 79)"]
    # "Available only" was a circle that read as a radio button; availability is now a list
    # of three choices, not-monitored models among them (issue 15 item 3).
    expect(page.get_by_label("Availability")).to_have_js_property("tagName", "SELECT")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_approvals_count_follows_an_in_place_decision_and_units_are_in_the_bar(
    open_as, member, approver, unit, width
):
    for name in ("Haiku A", "Haiku B"):
        model = AIModelFactory(name=name)
        ApprovalRequest.objects.create(model=model, unit=unit, requester=member, use_case="Bot")
    bob = open_as(approver)
    bob.set_viewport_size({"width": width, "height": 900})
    bob.goto("/approvals/")
    expect(bob.locator(".topbar [data-pending-count]")).to_have_text("2")
    # By the row's header: Haiku B's row names Haiku A too, as the same use case (issue 28).
    haiku_a = bob.locator("tr").filter(has=bob.locator("th", has_text="Haiku A"))
    haiku_a.get_by_role("button", name="Approve").click()
    expect(bob.locator(".topbar [data-pending-count]")).to_have_text("1")
    expect(bob.locator("[data-pending-text]")).to_have_text("1 request waiting")

    alice = open_as(member)
    alice.set_viewport_size({"width": width, "height": 900})
    alice.goto("/")
    if width < 700:  # on a phone the bar's links fold behind "Menu" (issue 28)
        alice.get_by_role("button", name="Menu").click()
    alice.locator(".topbar").get_by_role("link", name="My unit").click()
    expect(alice).to_have_url(re.compile(f"/business-units/{unit.slug}/$"))


@pytest.mark.parametrize("width", WIDTHS)
def test_enter_on_a_sort_header_keeps_focus_on_it(open_as, member, width):
    AIModelFactory(name="Alpha")
    AIModelFactory(name="Beta")
    page = open_as(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.locator("#sort-context_window").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"ordering=context_window"))
    expect(page.locator("#sort-context_window")).to_be_focused()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).ok  # no more 404 for a missing favicon


@pytest.mark.parametrize("width", WIDTHS)
def test_the_request_form_estimates_the_cost_live_and_asks_for_volumes_and_why(
    open_as, member, unit, width
):
    model = AIModelFactory(
        name="Priced", input_price_per_mtok=Decimal("3"), output_price_per_mtok=Decimal("15")
    )
    page = open_as(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/requests/new/?model={model.slug}")
    expect(page.get_by_label("Expected monthly input tokens")).to_have_value("")
    expect(page.locator("#live-cost")).to_contain_text("Enter the monthly token volumes")
    page.get_by_label("Expected monthly input tokens").fill("10000000")
    with page.expect_response(lambda response: "/requests/new/" in response.url):
        page.get_by_label("Expected monthly input tokens").blur()
    page.get_by_label("Expected monthly output tokens").fill("2000000")
    page.get_by_label("Expected monthly output tokens").blur()
    expect(page.locator("#live-cost")).to_have_text(
        "Estimated cost: $60.00 a month at today's price."
    )
    page.get_by_label("Use case").fill("Summaries")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#error-justification")).to_contain_text("required")


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_ticks_survive_a_filter_change_and_back(open_as, member, width):
    acme, other = VendorFactory(slug="acme", name="Acme"), VendorFactory(slug="other", name="Other")
    for name, vendor in (("Alpha Chat", acme), ("Beta Chat", acme), ("Gamma Code", other)):
        AIModelFactory(name=name, vendor=vendor)
    page = open_as(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.get_by_label("Select Alpha Chat for comparison").check()
    page.get_by_label("Select Beta Chat for comparison").check()
    page.get_by_label("Vendor").select_option("other")
    expect(page).to_have_url(re.compile(r"vendor=other"))
    expect(page.locator("#results tbody th[scope=row] a")).to_have_text(["Gamma Code"])
    page.get_by_label("Select Gamma Code for comparison").check()
    compare = page.get_by_role("button", name=re.compile("^Compare"))
    expect(compare).to_have_text("Compare (3)")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"vendor=other"))
    expect(page.locator("#results tbody th[scope=row] a")).to_have_count(3)
    expect(page.get_by_label("Select Alpha Chat for comparison")).to_be_checked()
    expect(compare).to_be_enabled()
    expect(compare).to_have_text("Compare (3)")
    compare.click()
    expect(page.locator("table.compare thead th")).to_have_count(3)

"""The catalog in a real browser: live search and filters, the Back button, compare."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import logged_in_context
from tests.factories import AIModelFactory, VendorFactory


@pytest.fixture
def shelf(db):
    openai, mistral = VendorFactory(slug="openai", name="OpenAI"), VendorFactory(slug="mistral")
    return [
        AIModelFactory(name="GPT Mini", vendor=openai, context_window=128_000),
        AIModelFactory(name="GPT Large", vendor=openai, context_window=1_000_000),
        AIModelFactory(name="Ministral", vendor=mistral),
        AIModelFactory(
            name="Mistral Large",
            vendor=mistral,
            input_price_per_mtok=None,
            output_price_per_mtok=None,
        ),
    ]


def _rows(page):
    return page.locator("#results tbody th[scope=row] a")


def test_typing_and_choosing_a_vendor_swap_the_table_and_back_restores(open_as, member, shelf):
    page = open_as(member)
    page.goto("/")
    expect(_rows(page)).to_have_count(4)
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Search models").press_sequentially("large", delay=40)
    expect(page).to_have_url(re.compile(r"/\?search=large$"))
    expect(_rows(page)).to_have_text(["GPT Large", "Mistral Large"])

    page.get_by_label("Vendor").select_option(label="Mistral")
    expect(page).to_have_url(re.compile(r"search=large&vendor=mistral"))
    expect(_rows(page)).to_have_text(["Mistral Large"])
    assert page.evaluate("window.stillTheSamePage") is True  # swapped, not reloaded
    # The search box's change (sent as focus left it) must have landed before Back: no request
    # in flight, whichever order the two answers came in.
    expect(page.locator(".htmx-request")).to_have_count(0)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?search=large$"))
    expect(_rows(page)).to_have_text(["GPT Large", "Mistral Large"])
    expect(page.get_by_label("Search models")).to_have_value("large")
    expect(page.get_by_label("Vendor")).to_have_value("")

    page.go_back()
    expect(_rows(page)).to_have_count(4)
    expect(page.get_by_label("Search models")).to_have_value("")


def test_a_search_typed_with_pauses_is_one_step_back(open_as, member, shelf):
    """Each pause while typing sends a request; the search box leaving focus sends the form's
    own (the same URL). One Back still undoes the whole search, and Forward redoes it."""
    page = open_as(member)
    page.goto("/")
    search = page.get_by_label("Search models")
    search.press_sequentially("lar", delay=40)
    expect(page).to_have_url(re.compile(r"/\?search=lar$"))
    search.press_sequentially("ge", delay=40)
    expect(page).to_have_url(re.compile(r"/\?search=large$"))
    expect(_rows(page)).to_have_text(["GPT Large", "Mistral Large"])
    search.blur()  # the filters form's change: the URL already shown
    expect(page.locator(".htmx-request")).to_have_count(0)  # its answer has landed
    expect(_rows(page)).to_have_text(["GPT Large", "Mistral Large"])
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(_rows(page)).to_have_count(4)
    expect(search).to_have_value("")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/\?search=large$"))
    expect(_rows(page)).to_have_text(["GPT Large", "Mistral Large"])


def test_sorting_and_the_url_survive_a_reload(open_as, member, shelf):
    page = open_as(member)
    page.goto("/")
    page.get_by_role("link", name="Context").click()
    expect(page).to_have_url(re.compile(r"ordering=context_window"))
    page.get_by_label("Vendor").select_option(label="OpenAI")
    expect(page).to_have_url(
        re.compile(r"ordering=context_window.*vendor=openai|vendor=openai.*ordering=context_window")
    )
    expect(_rows(page)).to_have_text(["GPT Mini", "GPT Large"])
    page.reload()
    expect(_rows(page)).to_have_text(["GPT Mini", "GPT Large"])
    expect(page.get_by_label("Vendor")).to_have_value("openai")


def test_compare_two_models_from_the_catalog(open_as, member, shelf):
    page = open_as(member)
    page.goto("/")
    compare = page.get_by_role("button", name=re.compile("^Compare"))
    expect(compare).to_be_disabled()
    page.get_by_label("Select GPT Mini for comparison").check()
    page.get_by_label("Select Mistral Large for comparison").check()
    expect(compare).to_have_text("Compare (2)")
    compare.click()
    expect(page).to_have_url(re.compile(r"/compare/\?m=.+&m=.+"))
    expect(page.get_by_role("heading", name="Compare models")).to_be_visible()
    header = page.locator("table.compare thead th")
    expect(header).to_have_count(2)
    expect(header.first).to_contain_text("GPT Mini")
    expect(page.locator("tr.differs", has_text="Vendor")).to_be_visible()
    expect(page.locator("tr.differs", has_text="Input price")).to_contain_text("unpriced")


def test_without_javascript_the_filters_work_as_a_plain_form(browser, live_server, member, shelf):
    context = logged_in_context(browser, live_server, member, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Search models").fill("mini")
    page.get_by_label("Vendor").select_option(label="OpenAI")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"search=mini.*vendor=openai"))
    expect(_rows(page)).to_have_text(["GPT Mini"])
    context.close()

# ruff: noqa: F811 - the `demo` fixture is imported, then requested by name
"""One sweep of every page, for every demo persona, at 1366 px and 390 px (issue 15):

- no serious or critical accessibility violation (axe-core, injected by Playwright, so the
  strict CSP still holds for the app's own scripts; see tests/browser/vendor/README.md);
- no console error of any kind, CSP's "Refused to…" among them (item 19);
- at 390 px, no sideways scroll (item 4), and no visible table cell that starts beyond the
  screen's right edge inside a sideways-scrolling box (issue 28: tables fit or become cards).

One visit serves the three checks, and one demo company serves both widths: a page is loaded
180 times, not 3 × 180. The console is read last, after axe has run, so what a page's scripts
do once it has loaded (htmx fetching a fragment) has had its time to log.
"""

import pytest
from django.contrib.auth import get_user_model

from tests.browser.test_accessibility_browser import AXE, SERIOUS
from tests.browser.test_phone_layout_browser import (  # noqa: F401 - fixture
    PERSONAS,
    demo,
    main_pages,
)

PHONE = 390
WIDTHS = [1366, PHONE]
THIRD_PARTY = "/api/v1/docs/"  # Swagger UI's own markup: checked for errors, not for axe
CELLS_OFF_SCREEN = """() => [...document.querySelectorAll("main td, main th")]
  .filter(cell => cell.getClientRects().length && cell.getBoundingClientRect().left >= innerWidth)
  .map(cell => cell.textContent.trim().slice(0, 30))"""


def all_pages() -> list[str]:
    """main_pages() and the pages it leaves out: evals, landscape, spend (/usage/), gateways
    (catalog admins'; a 403 for the others), the API docs."""
    return [
        *main_pages(),
        "/evals/",
        "/landscape/",
        "/usage/",
        "/gateways/",
        "/notices/",
        THIRD_PARTY,
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_is_accessible_quiet_and_fits(open_as, live_server, demo, persona):
    page = open_as(get_user_model().objects.get(username=persona))
    console: list[tuple[str, str]] = []
    page.on(
        "console",
        lambda m: (
            console.append((page.url, m.text))
            if m.type == "error" or "Refused to" in m.text
            else None
        ),
    )
    inaccessible, noisy, too_wide = {}, {}, {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in all_pages():
            where = f"{url} at {width} px"
            console.clear()
            response = page.goto(url)
            if url != THIRD_PARTY:
                page.evaluate(AXE)
                if violations := page.evaluate(SERIOUS):
                    inaccessible[where] = violations
            else:
                page.locator(".swagger-ui .info").wait_for()
            if width == PHONE:
                scroll, inner = page.evaluate(
                    "[document.scrollingElement.scrollWidth, window.innerWidth]"
                )
                if scroll > inner:
                    too_wide[where] = scroll
                if hidden := page.evaluate(CELLS_OFF_SCREEN):
                    too_wide[where] = hidden
            # A page meant to answer 403 or 404 logs its own status once: no error of the page.
            own = f"status of {response.status}" if response and response.status >= 400 else None
            if errors := [
                text
                for at, text in console
                if not (own and own in text and at.startswith(live_server.url + url))
            ]:
                noisy[where] = errors
    assert (inaccessible, noisy, too_wide) == ({}, {}, {})

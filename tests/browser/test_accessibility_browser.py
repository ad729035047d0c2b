# ruff: noqa: F811 - the `demo` fixture is imported, then requested by name
"""axe-core on every main page for every demo persona: no serious or critical violation.

axe is injected by Playwright (evaluated in the page, so the strict CSP still holds for the
app's own scripts); the app never serves it. See tests/browser/vendor/README.md.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.browser.test_phone_layout_browser import (  # noqa: F401 - fixture
    PERSONAS,
    demo,
    main_pages,
)

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_serious_or_critical_accessibility_violation_on_any_page(
    open_as,
    demo,
    persona,
    width,
):
    page = open_as(get_user_model().objects.get(username=persona))
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for url in main_pages():
        page.goto(url)
        page.evaluate(AXE)
        violations = page.evaluate(SERIOUS)
        if violations:
            found[url] = violations
    assert found == {}


def test_the_check_does_find_a_nameless_button(open_as, member):
    page = open_as(member)
    page.goto("/")
    page.evaluate(AXE)
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert any(v.startswith("button-name") for v in page.evaluate(SERIOUS))

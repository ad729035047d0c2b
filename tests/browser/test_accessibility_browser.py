"""The accessibility check the page sweep (test_every_page_browser.py) runs, and proof that it
finds what it looks for.

axe is injected by Playwright (evaluated in the page, so the strict CSP still holds for the
app's own scripts); the app never serves it. See tests/browser/vendor/README.md.
"""

from pathlib import Path

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


def test_the_check_does_find_a_nameless_button(open_as, member):
    page = open_as(member)
    page.goto("/")
    page.evaluate(AXE)
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert any(v.startswith("button-name") for v in page.evaluate(SERIOUS))

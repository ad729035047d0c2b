"""Playwright on Debian's Chromium against pytest-django's live server, under a strict CSP.

Every response reaches the browser with `script-src 'self'` and `style-src 'self'`, and any
violation the browser reports fails the test: the pages must work with a strict policy on.
"""

import os

import pytest
from django.conf import settings
from django.test import Client

from scripts.chromium import CHROMIUM, launch_chromium

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests need committed data for the live server (transactional), and run last:
    their flushes re-create content types, which later serialized-rollback tests would trip on."""
    browser_items = []
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))
            browser_items.append(item)
    items[:] = [item for item in items if item not in browser_items] + browser_items


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module, stopped with its event loop before other tests run.

    Playwright's sync API runs an event loop in this thread, which Django's ORM refuses unless
    told otherwise: allowed only while it runs (a deploy check must never see the variable).
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def logged_in_context(browser, live_server, user, **options):
    """A browser context carrying `user`'s session cookie (no login form, no password)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, **options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context


@pytest.fixture
def open_as(browser, live_server):
    """open_as(user) → a logged-in Playwright page at the site's root, CSP enforced."""
    contexts, violations = [], []

    def with_csp(route):
        from playwright.sync_api import Error as PlaywrightError

        try:
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": STRICT_CSP}
            route.fulfill(response=response, headers=headers)
        except PlaywrightError as error:
            # A request still in flight when its page navigated away or its context closed
            # (htmx, at the end of a test) has nobody left to answer: not a failure.
            if "disposed" not in str(error) and "closed" not in str(error):
                raise

    def open_page(user):
        context = logged_in_context(browser, live_server, user)
        context.route(f"{live_server.url}/**", with_csp)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: violations.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.unroute_all(behavior="ignoreErrors")  # requests still in flight end quietly
        context.close()
    assert not violations, violations

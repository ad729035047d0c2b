"""Single sign-on in Chromium, through a real OpenID provider process's own sign-in form."""

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, User
from catalog.management.commands.oidc_provider import persona_claims
from tests.factories import AIModelFactory, BusinessUnitFactory


@pytest.fixture
def marketing(db):
    return BusinessUnitFactory(
        slug="marketing",
        name="Marketing",
        idp_member_group="marketing-members",
        idp_manager_group="marketing-managers",
    )


@pytest.fixture
def sso_page(browser, live_server, sso):
    """A fresh browser (no session) on the site, failing on any CSP violation."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    yield page
    context.close()
    assert not violations, violations


@pytest.fixture
def bob_restored(sso):
    yield
    sso.set_user("bob", **persona_claims()["bob"])


def sign_in_through_provider(page, sub: str) -> None:
    page.goto("/")
    page.get_by_role("button", name="Sign in with SSO").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/")


def sign_out(page) -> None:
    page.locator("summary", has_text="bob").click()
    page.get_by_role("button", name="Log out").click()
    # The provider asks to confirm ending its session, then sends the browser back here.
    page.get_by_role("button", name="End session").click()
    page.wait_for_url("**/accounts/login/")


def test_alice_signs_in_through_the_provider_and_requests_a_model_for_marketing(
    sso_page, marketing
):
    haiku = AIModelFactory(name="Haiku Fast")
    sign_in_through_provider(sso_page, "alice")
    expect(sso_page.locator("summary", has_text="alice")).to_be_visible()
    user = User.objects.get(oidc_sub="alice")
    assert (user.first_name, user.email) == ("Alice", "alice@example.com")
    assert user.memberships.get().source == Membership.Source.IDP

    sso_page.goto(f"/models/{haiku.slug}/")
    sso_page.get_by_role("button", name="Request approval").click()
    expect(sso_page.get_by_label("Business unit")).to_have_value("marketing")
    sso_page.get_by_label("Use case").fill("Campaign copy")
    sso_page.get_by_label("Expected monthly input tokens").fill("1000000")
    sso_page.get_by_label("Expected monthly output tokens").fill("200000")
    sso_page.get_by_label("Justification").fill("Cheap enough for drafts.")
    sso_page.get_by_role("button", name="Submit request").click()
    expect(sso_page.get_by_text("Request submitted")).to_be_visible()


def test_approver_role_follows_the_provider_group_at_the_next_sign_in(sso_page, sso, bob_restored):
    sign_in_through_provider(sso_page, "bob")
    assert sso_page.goto("/approvals/").status == 200
    sign_out(sso_page)

    sso.set_user("bob", **{**persona_claims()["bob"], "groups": []})
    sign_in_through_provider(sso_page, "bob")
    expect(sso_page.get_by_role("link", name="Approvals")).to_have_count(0)
    assert sso_page.goto("/approvals/").status == 404
    assert not User.objects.get(oidc_sub="bob").groups.exists()

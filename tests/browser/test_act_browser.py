# ruff: noqa: F811 - the `demo` fixture is imported, then requested by name
"""Pages people can act on (issue 28), in Chromium with the demo company, controls found by
their visible names: the folding menu and the way into a unit (victor on a phone, frank at his
desk), revoke with its confirmation and undo (frank on a phone), and a deprecated model's way
forward (mallory)."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from catalog.models import AIModel
from tests.browser.test_phone_layout_browser import PHONE, demo  # noqa: F401 - fixture

DESK = {"width": 1366, "height": 900}


def _as(open_as, username, viewport):
    page = open_as(get_user_model().objects.get(username=username))
    page.set_viewport_size(viewport)
    return page


def test_victor_on_a_phone_finds_his_unit_and_frank_lets_him_in(open_as, demo):
    victor = _as(open_as, "victor", PHONE)
    approved = AIModel.objects.filter(status="approved").order_by("name").first()
    victor.goto(f"/models/{approved.slug}/")
    expect(victor.get_by_role("button", name="Request approval")).to_have_count(0)
    expect(victor.get_by_role("link", name="Units")).to_be_hidden()  # folded behind Menu
    victor.get_by_role("button", name="Menu").click()
    expect(victor.get_by_role("link", name="Units")).to_be_visible()
    victor.get_by_role("button", name="Find your unit").click()
    expect(victor.get_by_role("heading", name="Business units")).to_be_visible()
    victor.get_by_role("button", name="Ask to join Marketing").click()
    expect(victor.get_by_text("You asked to join Marketing")).to_be_visible()

    frank = _as(open_as, "frank", DESK)
    frank.goto("/business-units/marketing/")
    frank.get_by_role("button", name="Let victor join").click()
    expect(frank.get_by_text("victor is now a member of Marketing")).to_be_visible()
    victor.goto(f"/models/{approved.slug}/")
    expect(victor.get_by_role("button", name="Request approval")).to_be_visible()


def test_frank_on_a_phone_revokes_after_reading_what_it_stops_then_undoes_it(open_as, demo):
    frank = _as(open_as, "frank", PHONE)
    frank.goto("/business-units/marketing/")
    frank.get_by_role("button", name="Revoke GPT-4o mini").click()
    expect(frank.get_by_role("heading", name="Revoke GPT-4o mini for Marketing?")).to_be_visible()
    expect(frank.get_by_text("Campaign copy drafts")).to_be_visible()
    expect(frank.get_by_text(re.compile(r"\$[\d,.]+ this month so far"))).to_be_visible()
    expect(frank.get_by_text(re.compile(r"stops? serving \S+ to Marketing's apps"))).to_be_visible()
    frank.get_by_role("button", name="Revoke GPT-4o mini").click()
    expect(frank.get_by_text("GPT-4o mini revoked for Marketing.")).to_be_visible()
    expect(frank.get_by_role("row", name=re.compile("GPT-4o mini"))).to_have_count(0)
    frank.get_by_role("button", name="Undo revoke of GPT-4o mini").click()
    expect(frank.get_by_text("GPT-4o mini is back on Marketing's list.")).to_be_visible()
    expect(frank.get_by_role("row", name=re.compile("GPT-4o mini"))).to_have_count(1)


def test_mallory_asks_governance_to_review_her_deprecated_models_successor(open_as, demo):
    mallory = _as(open_as, "mallory", DESK)
    mallory.goto("/business-units/engineering/")
    row = mallory.get_by_role("row", name=re.compile("Claude Sonnet 4.5"))
    expect(row.get_by_text(re.compile(r"^Deprecated \d+ \w+ \d{4}"))).to_be_visible()
    expect(row.get_by_text("Under review")).to_be_visible()
    row.get_by_role("button", name=re.compile("Ask governance to review it")).click()
    expect(mallory.get_by_text(re.compile("catalog admins were asked to review"))).to_be_visible()
    expect(mallory.get_by_text(re.compile("Governance was asked to review it on"))).to_be_visible()


def test_frank_acknowledges_a_finding_then_resolves_it_with_a_reason(open_as, demo):
    from datetime import date

    from accounts.models import BusinessUnit
    from usage.models import UsageFinding

    haiku = AIModel.objects.get(price_source_key="claude-haiku-4-5")
    finding = UsageFinding.objects.create(
        kind="unapproved_use", unit=BusinessUnit.objects.get(slug="marketing"),
        month=date.today().replace(day=1), subject="claude-haiku-4-5", model=haiku,
        detail="Marketing used Claude Haiku 4.5 without approval.",
    )  # fmt: skip
    frank = _as(open_as, "frank", DESK)
    frank.goto("/business-units/marketing/")
    item = frank.locator(f"#finding-{finding.pk}")
    expect(item.get_by_role("link", name="Request approval for Claude Haiku 4.5")).to_be_visible()
    item.get_by_label("Note").fill("Asking the team why")
    item.get_by_role("button", name="Acknowledge").click()
    expect(item.get_by_text("Acknowledged by frank")).to_be_visible()
    item.get_by_label("Note").fill("A one-off trial, stopped")
    item.get_by_role("button", name="Resolve").click()
    expect(item.get_by_text("Resolved: frank: A one-off trial, stopped")).to_be_visible()


def _gateway_leak(unit_slug: str):
    from django.utils import timezone

    from accounts.models import BusinessUnit
    from gateways.models import Gateway, GatewayFinding, GatewayProbe

    unit = BusinessUnit.objects.get(slug=unit_slug)
    now = timezone.now()
    gateway = Gateway.objects.create(
        name="Proxy", base_url="https://proxy.example.com", checked_at=now
    )
    probe = GatewayProbe.objects.create(gateway=gateway, unit=unit, key_env="PROXY_TEAM_KEY")
    return GatewayFinding.objects.create(
        gateway=gateway, probe=probe, unit=unit, kind="gateway_leak", model_name="codestral",
        detail="The gateway serves “codestral” with Marketing's key.",
        first_seen=now, last_seen=now,
    )  # fmt: skip


def test_frank_on_a_phone_acknowledges_a_gateway_leak_then_resolves_it(open_as, demo):
    leak = _gateway_leak("marketing")
    frank = _as(open_as, "frank", PHONE)
    frank.goto("/business-units/marketing/")
    item = frank.get_by_role("list", name="Gateway findings").locator(f"#gateway-finding-{leak.pk}")
    expect(item.get_by_text("Next step")).to_be_visible()
    item.get_by_label("Note").fill("Proxy team is on it")
    item.get_by_role("button", name="Acknowledge").click()
    expect(item.get_by_text("Acknowledged by frank")).to_be_visible()
    item.get_by_label("Note").fill("Key rotated, leak closed")
    item.get_by_role("button", name="Resolve").click()
    expect(frank.get_by_text("Gateway leak finding resolved.")).to_be_visible()
    expect(frank.locator(f"#gateway-finding-{leak.pk}")).to_have_count(0)


def test_bob_narrows_the_companys_findings_by_status_and_kind(open_as, demo):
    from datetime import date

    from accounts.models import BusinessUnit
    from usage.models import UsageFinding

    month = date.today().replace(day=1)
    for unit, kind, status, detail in [
        ("marketing", "unapproved_use", "open", "Marketing used shadow-7 without approval."),
        ("engineering", "over_budget", "acknowledged", "Engineering is on course for $9,000."),
    ]:
        UsageFinding.objects.create(
            kind=kind, unit=BusinessUnit.objects.get(slug=unit), month=month, subject=kind,
            detail=detail, status=status,
        )  # fmt: skip
    for viewport in (PHONE, DESK):
        bob = _as(open_as, "bob", viewport)
        bob.goto("/usage/")
        findings = bob.get_by_role("list", name="Usage findings")
        expect(findings).to_contain_text("shadow-7")
        bob.get_by_label("Finding status").select_option("acknowledged")
        expect(bob).to_have_url(re.compile(r"status=acknowledged"))
        expect(findings).not_to_contain_text("shadow-7")
        expect(findings).to_contain_text("Engineering is on course")
        bob.get_by_role("link", name=re.compile(r"^\d+ unapproved use$")).click()
        expect(bob.get_by_text("No finding matches these filters this month.")).to_be_visible()


def test_alice_reads_her_notices_from_the_bell_on_a_phone_and_at_her_desk(open_as, demo):
    from core.models import Notice

    alice = get_user_model().objects.get(username="alice")
    Notice.objects.filter(recipient=alice).update(read_at="2026-01-01T00:00Z")
    for viewport in (PHONE, DESK):
        Notice.objects.create(
            recipient=alice, subject="Your request for Codestral (Marketing) was approved",
            url="/requests/", body="Marketing may use Codestral.",
        )  # fmt: skip
        page = _as(open_as, "alice", viewport)
        page.goto("/")
        bell = page.get_by_role("link", name="Notices 1 unread")
        expect(bell).to_be_visible()  # beside the brand: not folded behind Menu on a phone
        bell.click()
        expect(page.get_by_role("heading", name="Notices")).to_be_visible()
        page.get_by_role(
            "button", name=re.compile(r"^Mark read\W+Your request for Codestral")
        ).click()
        expect(page.get_by_role("link", name=re.compile("unread"))).to_have_count(0)
        expect(page.get_by_role("link", name="Notices", exact=True)).to_be_visible()

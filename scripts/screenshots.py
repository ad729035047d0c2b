"""`make screenshots`: PNGs of the main pages, from a throwaway demo database, into screenshots/.

Seeds the demo company in a temporary directory, adds a month of price and availability history
and a few job runs so the charts and boards have something to show, serves it with runserver on
a free port and drives Debian's Chromium through the pages as the demo people would.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", verbosity=0)
    _add_history()


def _add_history() -> None:
    """A month of price moves and availability changes for the approved models."""
    from django.utils import timezone

    from catalog.choices import AvailabilityStatus, ModelStatus, PriceSource
    from catalog.models import AIModel, AvailabilityCheck, PriceObservation, Vendor
    from core.choices import JobKind
    from core.models import JobRun

    now = timezone.now()
    approved = list(AIModel.objects.filter(status=ModelStatus.APPROVED).order_by("name"))
    statuses = [AvailabilityStatus.UP, AvailabilityStatus.DEGRADED, AvailabilityStatus.UP]
    # The import's ledger rows become the opening prices, 40 days ago.
    PriceObservation.objects.update(observed_at=now - timedelta(days=40))
    for index, model in enumerate(approved):
        if model.input_price_per_mtok is not None:
            for weeks, factor in ((4, Decimal("1.25")), (2, Decimal("1.10"))):
                PriceObservation.objects.create(
                    model=model,
                    observed_at=now - timedelta(weeks=weeks),
                    input_price_per_mtok=model.input_price_per_mtok * factor,
                    output_price_per_mtok=None
                    if model.output_price_per_mtok is None
                    else model.output_price_per_mtok * factor,
                    source=PriceSource.LITELLM,
                )
            PriceObservation.objects.create(
                model=model,
                observed_at=now - timedelta(days=1, hours=index),
                input_price_per_mtok=model.input_price_per_mtok,
                output_price_per_mtok=model.output_price_per_mtok,
                source=PriceSource.LITELLM,
            )
        for step in range(6):
            status = statuses[(index + step) % 3] if step != 4 or index % 7 else "down"
            AvailabilityCheck.objects.create(
                model=model,
                checked_at=now - timedelta(days=28 - step * 5, hours=index),
                status=status,
                latency_ms=None if status == "down" else 300 + (index * 37 + step * 91) % 900,
            )
        final = AvailabilityStatus.DOWN if index % 11 == 5 else AvailabilityStatus.UP
        AIModel.objects.filter(pk=model.pk).update(
            availability_status=final,
            availability_checked_at=now - timedelta(minutes=4),
            latency_ms=None if final == "down" else 250 + index * 13,
        )
    for hours, vendor in enumerate(Vendor.objects.order_by("name")[:6]):
        JobRun.objects.create(
            kind=JobKind.CHECK_AVAILABILITY if hours % 2 else JobKind.SYNC_PRICES,
            vendor=vendor,
            started_at=now - timedelta(hours=hours),
            finished_at=now - timedelta(hours=hours) + timedelta(seconds=4),
            checked=40 + hours,
            changed=hours % 3,
            flagged=1 if hours == 4 else 0,
            errors=["timeout after 10 s"] if hours == 3 else [],
        )


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    import urllib.request

    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("the web server did not start")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the web server did not answer")


def _shoot(base: str, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from catalog.models import AIModel
    from scripts.chromium import launch_chromium

    slugs = {
        key: AIModel.objects.get(price_source_key=key).slug
        for key in ("claude-sonnet-4-5", "gpt-4o-mini", "gemini/gemini-2.5-flash")
    }
    saved = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)

        def session(username: str, width: int = 1360, height: int = 900):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/accounts/login/")
            if username:
                page.get_by_label("Username").fill(username)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(f"{base}/")
            return page

        def snap(page, name: str, path: str | None = None) -> None:
            if path is not None:
                page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            target = OUT / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            saved.append(target)

        snap(session(""), "01-login")
        alice = session("alice")
        snap(alice, "02-catalog", "/")
        alice.get_by_label("Search models").fill("claude")
        alice.get_by_label("Status").select_option("any")
        alice.wait_for_url("**/?*status=any*")
        snap(alice, "03-catalog-filtered")
        snap(alice, "04-model", f"/models/{slugs['claude-sonnet-4-5']}/")
        compared = "&".join(f"m={s}" for s in slugs.values())
        snap(alice, "05-compare", f"/compare/?{compared}")
        alice.goto(f"{base}/requests/new/?model={slugs['gpt-4o-mini']}")
        alice.get_by_label("Data classification").select_option("restricted")
        alice.locator("#error-data_classification").filter(has_text="cleared").wait_for()
        snap(alice, "06-request-form")
        snap(alice, "07-my-requests", "/requests/")
        snap(alice, "08-unit", "/business-units/marketing/")
        snap(alice, "09-status", "/status/")
        alice.goto(f"{base}/accounts/profile/")
        alice.get_by_role("button", name="Create API token").click()
        snap(alice, "10-profile")
        bob = session("bob")
        snap(bob, "11-approvals", "/approvals/")
        phone = session("alice", width=390, height=844)
        snap(phone, "12-catalog-phone", "/?status=approved&specialty=embedding")
        snap(phone, "13-model-phone", f"/models/{slugs['gemini/gemini-2.5-flash']}/")
        snap(phone, "14-unit-phone", "/business-units/marketing/")
        snap(
            phone, "15-recommend-phone", "/recommend/?specialty=chat&monthly_input_tokens=10000000"
        )
        snap(phone, "16-request-form-phone", f"/requests/new/?model={slugs['claude-sonnet-4-5']}")
        bob_phone = session("bob", width=390, height=844)
        snap(bob_phone, "17-approvals-phone", "/approvals/")
        _shoot_issue_28(session, snap)
        browser.close()
    return saved


def _add_findings() -> None:
    """One usage finding of each kind for Marketing this month, so their next steps show."""
    from django.utils import timezone

    from accounts.models import BusinessUnit
    from catalog.models import AIModel
    from usage.choices import FindingKind
    from usage.models import UsageFinding

    marketing = BusinessUnit.objects.get(slug="marketing")
    haiku = AIModel.objects.get(price_source_key="claude-haiku-4-5")
    mini = AIModel.objects.get(price_source_key="gpt-4o-mini")
    month = timezone.localdate().replace(day=1)
    details = {
        FindingKind.UNAPPROVED_USE: (haiku, "Marketing used Claude Haiku 4.5 without approval."),
        FindingKind.OVER_FORECAST: (mini, "GPT-4o mini is heading for $18.10 against $10.80."),
        FindingKind.OVER_BUDGET: (None, "Marketing is heading for $5,400 against $5,000."),
        FindingKind.BILL_MISMATCH: (mini, "The bill is 8 % above list prices for GPT-4o mini."),
    }
    for kind, (model, detail) in details.items():
        UsageFinding.objects.get_or_create(
            kind=kind, unit=marketing, month=month, subject=kind,
            defaults={"model": model, "detail": detail},
        )  # fmt: skip


def _shoot_issue_28(session, snap) -> None:  # type: ignore[no-untyped-def]
    """The states issue 28 added: the unit directory and a join request, a deprecated
    adoption's way forward, revoke's confirmation and undo, findings, the folded menu."""
    from catalog.models import Adoption

    _add_findings()
    victor = session("victor", width=390, height=844)
    snap(victor, "18-units-directory-phone", "/business-units/")
    victor.get_by_role("button", name="Ask to join Marketing").click()
    snap(victor, "19-join-asked-phone")
    victor.get_by_role("button", name="Menu").click()
    snap(victor, "20-menu-open-phone")
    frank = session("frank")
    snap(frank, "21-unit-join-request-findings-deprecated", "/business-units/marketing/")
    embedding = Adoption.objects.get(unit__slug="marketing", model__name="text-embedding-3-small")
    snap(frank, "22-revoke-confirm", f"/adoptions/{embedding.pk}/revoke/confirm/")
    frank.get_by_role("button", name="Revoke text-embedding-3-small").click()
    snap(frank, "23-revoked-undo")
    mallory = session("mallory")
    snap(mallory, "24-unit-deprecated-successor", "/business-units/engineering/")
    snap(session("bob"), "25-approvals-context", "/approvals/")
    snap(frank, "26-usage-findings", "/usage/")


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="modelshelf-shots-") as var:
        env = {
            "DEBUG": "1",
            "MODELSHELF_VAR_DIR": var,
            "DATABASE_URL": "",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "CELERY_BROKER_URL": "memory://",
            "EMAIL_URL": "",
            "DJANGO_SETTINGS_MODULE": "modelshelf.settings",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        }
        _prepare(env)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(base, server)
            from django.conf import settings

            saved = _shoot(base, settings.DEMO_PASSWORD)
        finally:
            server.terminate()
            server.wait(10)
    for path in saved:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A key never shows: after every job has failed in every way it can (refused addresses, a
redirect to another origin, 401s, 500s, malformed answers, and a vendor that echoes the
request's headers into every field it answers), the key's value is in no response, log line,
error text, task argument or result, audit history row, CSV or e-mail."""

import json
import logging
from datetime import date
from typing import Any

import pytest
from celery.signals import task_postrun, task_prerun
from django.apps import apps
from django.core import mail

from catalog.choices import ApiKind, PriceSource
from core.models import JobRun
from evaluations.models import EvalResult, EvalRun
from fakevendor.server import FakeVendor
from tests.catalog.api_support import token_client
from tests.evaluations.conftest import demo_suite
from tests.factories import AIModelFactory, VendorFactory
from tests.listeners import listening, redirecting_to
from usage.choices import SourceKind
from usage.models import UsageAccount, UsageSource

KEY_ENV = "LEAKTEST_API_KEY"
KEY = "sk-leaktest-5f1c9a0b7e3d4c2a8b6f01"


@pytest.fixture
def tasks_seen() -> Any:
    """Every task's arguments and result, as Celery hands them over."""
    seen: list[str] = []

    def before(task_id: str, task: Any, args: Any, kwargs: Any, **_: Any) -> None:
        seen.append(f"{task.name} {args!r} {kwargs!r}")

    def after(task_id: str, task: Any, retval: Any = None, **_: Any) -> None:
        seen.append(f"{task.name} -> {retval!r}")

    task_prerun.connect(before, weak=False)
    task_postrun.connect(after, weak=False)
    yield seen
    task_prerun.disconnect(before)
    task_postrun.disconnect(after)


def body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def history_text() -> str:
    rows = []
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            rows.extend(str(row) for row in model.objects.values())
    return "\n".join(rows)


def test_no_key_appears_anywhere_after_jobs_that_fail_every_way(
    db, catalog_admin, unit, monkeypatch, settings, caplog, tasks_seen,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    monkeypatch.setenv(KEY_ENV, KEY)
    settings.VENDOR_RETRY_AFTER_MAX = 0
    settings.EVAL_MAX_RETRIES = 0
    caplog.set_level(logging.DEBUG)
    api = token_client(catalog_admin)
    fake = FakeVendor(cost_map={}, seed=1).start()
    try:
        with (
            listening("127.0.0.1") as echo,
            listening("127.0.0.2") as attacker,
            redirecting_to(attacker.url) as redirector,
        ):
            echo.echo = True
            where = {
                "echo": (ApiKind.OPENAI, f"{echo.url}/v1"),
                "echo-router": (ApiKind.OPENROUTER, f"{echo.url}/api/v1"),
                "redirected": (ApiKind.ANTHROPIC, f"{redirector.url}/v1"),
                "private": (ApiKind.OPENROUTER, f"{attacker.url}/api/v1"),
                "unauthorized": (ApiKind.OPENAI, f"{fake.url}/_fault/401/openai/v1"),
                "broken": (ApiKind.ANTHROPIC, f"{fake.url}/_fault/malformed/anthropic/v1"),
            }
            for slug, (kind, base) in where.items():
                vendor = VendorFactory(
                    slug=slug, api_kind=kind, api_base_url=base, api_key_env=KEY_ENV,
                    status_page_url=f"{echo.url}/status", price_source=PriceSource.LITELLM,
                    price_source_url=f"{echo.url}/prices.json",
                )  # fmt: skip
                AIModelFactory(vendor=vendor, slug=f"{slug}-model", vendor_model_id=f"{slug}-m")
            for kind, base in [
                (SourceKind.LITELLM, echo.url),
                (SourceKind.ANTHROPIC, f"{redirector.url}/v1"),
                (SourceKind.OPENAI, f"{fake.url}/_fault/500:9/openai/v1"),
            ]:
                source = UsageSource.objects.create(
                    name=f"{kind} source", kind=kind, base_url=base, key_env=KEY_ENV
                )
                UsageAccount.objects.create(source=source, external_id="team-x", unit=unit)
            suite = demo_suite("support-ticket-triage")

            with django_capture_on_commit_callbacks(execute=True):
                for slug in where:
                    api.post(f"/api/v1/vendors/{slug}/check-availability/")
                    api.post(f"/api/v1/vendors/{slug}/sync-prices/")
                for source in UsageSource.objects.all():
                    api.post(f"/api/v1/usage-sources/{source.pk}/ingest/")
                api.post(
                    f"/api/v1/eval-suites/{suite.slug}/runs/",
                    {"models": ["echo-model", "redirected-model", "unauthorized-model"]},
                    content_type="application/json",
                )
    finally:
        fake.stop()

    # It did fail every way, and the echoing vendor did receive the key (it was named).
    errors = json.dumps([run.errors for run in JobRun.objects.all()])
    for failure in ["loopback", "another origin", "HTTP 401", "malformed", "HTTP 500"]:
        assert failure in errors, failure
    assert KEY in echo.all_text() and attacker.seen == []
    assert EvalRun.objects.count() == 3

    month = date.today().strftime("%Y-%m")
    responses = {
        url: body(api.get(url))
        for url in [
            "/api/v1/job-runs/?page_size=500",
            "/api/v1/vendors/",
            "/api/v1/usage-sources/",
            "/api/v1/eval-runs/",
            *(f"/api/v1/eval-runs/{run.pk}/" for run in EvalRun.objects.all()),
            "/api/v1/models/?format=csv",
            f"/api/v1/chargeback/?month={month}&format=csv",
            f"/api/v1/business-units/{unit.slug}/usage/?month={month}&format=csv",
            "/api/v1/usage-findings/",
            "/status/",
            "/models/echo-model/",
        ]
    }
    places = {
        **responses,
        "job run errors": errors,
        "eval results": json.dumps(list(EvalResult.objects.values()), default=str),
        "eval runs": json.dumps(list(EvalRun.objects.values()), default=str),
        "log": caplog.text,
        "task arguments and results": "\n".join(tasks_seen),
        "audit history": history_text(),
        "e-mail": "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox),
    }
    assert tasks_seen and caplog.text
    leaked = sorted(place for place, text in places.items() if KEY in text)
    assert leaked == []

"""The demo's evaluations: the three suites, finished runs against an in-process fake vendor
(so the chart is not empty), and the GPT line's history for the landscape page."""

import os
from datetime import date
from pathlib import Path

from django.db import transaction

from catalog.choices import ModelStatus
from catalog.models import AIModel, Vendor
from catalog.services.fake_vendor_demo import vendors_point_at_fake
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from evaluations.services.runs import run_execute, runs_start
from evaluations.services.suites import suite_import, suite_input_from_jsonl
from fakevendor import FAKE_KEY_ENV
from fakevendor.server import FakeVendor

SUITES = Path(__file__).resolve().parents[1] / "demo_suites"
B = 1_000_000_000
# Cost-map keys of the models the demo evaluates: every size class, two code specialists.
EVALUATED = [
    "mistral/ministral-3b-latest",
    "mistral/ministral-8b-latest",
    "gpt-4o-mini",
    "mistral/codestral-latest",
    "mistral/devstral-small-latest",
    "mistral/mistral-small-latest",
    "claude-haiku-4-5",
    "deepseek/deepseek-coder",
    "claude-sonnet-4-5",
    "mistral/mistral-large-latest",
    "gpt-4o",
]
# (cost-map key or new slug, name, family, parameters, released, status)
HISTORY = [
    ("gpt-1", "GPT-1", "GPT-1", 117_000_000, date(2018, 6, 11), ModelStatus.RETIRED),
    ("gpt-2", "GPT-2", "GPT-2", 1_500_000_000, date(2019, 2, 14), ModelStatus.RETIRED),
    ("davinci-002", "GPT-3 davinci-002", "GPT-3", 175 * B, date(2020, 6, 11), ModelStatus.RETIRED),
    ("gpt-4", "GPT-4", "GPT-4", 1760 * B, date(2023, 3, 14), ModelStatus.DEPRECATED),
]


def demo_suites() -> list[EvalSuite]:
    """The bundled suites, imported once (a re-run leaves suites with runs alone)."""
    suites = []
    for path in sorted(SUITES.glob("*.jsonl")):
        data = suite_input_from_jsonl(path.read_text(encoding="utf-8"))
        existing = EvalSuite.objects.filter(slug=data.slug).first()
        suites.append(existing or suite_import(data=data))
    return suites


@transaction.atomic
def gpt_history() -> int:
    """GPT-1 to GPT-3 kept as retired models with their release dates and sizes."""
    openai = Vendor.objects.filter(slug="openai").first()
    changed = 0
    for key, name, family, parameters, released, status in HISTORY:
        model = AIModel.objects.filter(price_source_key=key).first()
        if model is None:
            if openai is None:
                continue
            model = AIModel(vendor=openai, slug=key, vendor_model_id=key, price_source_key=key)
        wanted = {
            "name": name,
            "family": family,
            "parameters": parameters,
            "parameters_estimated": family == "GPT-4",
            "release_date": released,
            "status": status,
        }
        if model.pk is None or any(getattr(model, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(model, k, v)
            model.save()
            changed += 1
    return changed


def demo_runs() -> int:
    """Run every demo suite on the evaluated models, unless finished runs exist already.

    Starts its own fake vendor on a free port and points the catalog's vendors at it; `make
    run` re-points them at the long-running fake afterwards (use_fake_vendor).
    """
    suites = demo_suites()
    models = list(AIModel.objects.filter(price_source_key__in=EVALUATED).select_related("vendor"))
    if not models or EvalRun.objects.filter(status=RunStatus.FINISHED).exists():
        return 0
    server = FakeVendor(cost_map={}, suites=SUITES).start()
    try:
        vendors_point_at_fake(url=server.url)
        os.environ.setdefault(FAKE_KEY_ENV, "demo-key")
        started = []
        for suite in suites:
            started += runs_start(suite=suite, models=models, queue=False)
        for run in started:
            while not run_execute(run_id=run.pk, budget_seconds=600):
                pass
    finally:
        server.stop()
    return len(started)

"""The demo seed leaves finished runs (the chart is not empty) and the GPT line for /landscape/."""

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.choices import ModelStatus
from catalog.models import AIModel, Evaluation
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from evaluations.services.demo import EVALUATED

pytestmark = pytest.mark.django_db


def test_seed_eval_demo_runs_every_suite_on_the_demo_models_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    call_command("seed_eval_demo", stdout=StringIO())
    assert EvalSuite.objects.count() == 3
    finished = EvalRun.objects.filter(status=RunStatus.FINISHED)
    assert finished.count() == 3 * len(EVALUATED)
    assert not finished.filter(cost_usd__isnull=True).exists()
    sql = {r.model.name: r.pass_rate for r in finished.filter(suite__slug="sql-from-questions")}
    assert sql["Codestral"] >= sql["Mistral Large 3"] * 9 / 10 > sql["Mistral Small"]
    assert Evaluation.objects.filter(source="modelshelf").count() == 3 * len(EVALUATED)
    retired = AIModel.objects.filter(
        status=ModelStatus.RETIRED, family__in=["GPT-1", "GPT-2", "GPT-3"]
    )
    assert retired.count() == 3
    call_command("seed_eval_demo", stdout=StringIO())  # a re-run adds nothing
    assert EvalRun.objects.count() == 3 * len(EVALUATED)

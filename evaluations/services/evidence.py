"""Finished runs as approval evidence: what catalog's request form lists and cites."""

from typing import Any

from catalog.evidence import CitableRun
from catalog.models import AIModel, Evaluation
from core.errors import InvalidRequest
from evaluations.choices import RunStatus
from evaluations.models import EvalRun
from evaluations.services.runs import run_url

CITABLE_RUNS = 20
FIELD = "eval_run"


class EvalRunSource:
    """Registered with catalog.evidence by the app config."""

    def citable_runs(self, model: AIModel, user: Any) -> list[CitableRun]:
        runs = (
            EvalRun.objects.visible_to(user)
            .filter(model=model, status=RunStatus.FINISHED)
            .exclude(evaluation=None)
            .exclude(pass_rate=None)
            .select_related("suite")
            .order_by("-finished_at", "-pk")[:CITABLE_RUNS]
        )
        return [
            CitableRun(
                id=run.pk,
                suite=run.suite.name,
                finished=f"{run.finished_at:%d %b %Y}" if run.finished_at else "",
                pass_rate=run.pass_rate,  # type: ignore[arg-type]  # None excluded above
                cost_per_1000_cases=run.cost_per_1000_cases,
                latency_p50_ms=run.latency_p50_ms,
                url=run_url(run),
            )
            for run in runs
        ]

    def run_evidence(self, model: AIModel, run_id: int, user: Any) -> Evaluation:
        visible = EvalRun.objects.visible_to(user).select_related("model", "evaluation")
        run = visible.filter(pk=run_id).first()  # one the user may not see does not exist
        if run is None:
            raise InvalidRequest(f"There is no eval run #{run_id}.", field=FIELD)
        if run.model_id != model.pk:
            raise InvalidRequest(
                f"Eval run #{run_id} asked {run.model.name}, not {model.name}: cite a run of "
                "the model you request.",
                field=FIELD,
            )
        if run.status != RunStatus.FINISHED:
            raise InvalidRequest(
                f"Eval run #{run_id} is {run.get_status_display().lower()}, not finished: cite "
                "a finished run.",
                field=FIELD,
            )
        if run.evaluation is None:
            raise InvalidRequest(f"Eval run #{run_id} recorded no pass rate to cite.", field=FIELD)
        return run.evaluation

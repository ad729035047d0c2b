"""/evals/: the suites, and one suite's runs with the quality-vs-cost chart and a run form."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.choices import ModelStatus
from catalog.models import AIModel
from core.htmx import render_page
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from evaluations.services.runs import runs_start
from evaluations.views.run_sorting import headers, runs_sorted

MAX_PICKED = 20
ACTIVE = [RunStatus.QUEUED, RunStatus.RUNNING]


def _suite_for(request: HttpRequest, slug: str) -> EvalSuite:
    """404 for suites the user may not see: private suites do not exist to outsiders."""
    suites = EvalSuite.objects.visible_to(request.user).select_related("specialty", "unit")
    return get_object_or_404(suites, slug=slug)


def suite_list(request: HttpRequest) -> HttpResponse:
    suites = (
        EvalSuite.objects.visible_to(request.user)
        .select_related("specialty", "unit")
        .annotate(
            case_count=Count("cases", distinct=True),
            finished_runs=Count("runs", filter=Q(runs__status=RunStatus.FINISHED), distinct=True),
        )
        .order_by("name", "id")
    )
    return render(request, "evaluations/suite_list.html", {"suites": suites})


def runnable_models() -> QuerySet[AIModel]:
    """Models a run can call: a vendor API to reach and not retired."""
    return (
        AIModel.objects.exclude(status=ModelStatus.RETIRED)
        .exclude(vendor__api_base_url="")
        .select_related("vendor")
        .order_by("name", "id")
    )


def chart_points(runs: list[EvalRun]) -> list[dict[str, object]]:
    """Each model's latest finished, priced run: x cost per 1,000 cases, y pass rate."""
    points, seen = [], set()
    for run in runs:
        if run.status != RunStatus.FINISHED or run.model_id in seen:
            continue
        seen.add(run.model_id)
        per_1000 = run.cost_per_1000_cases
        if per_1000 is None or per_1000 <= 0 or run.pass_rate is None:
            continue
        points.append(
            {
                "model": run.model.name,
                "x": float(per_1000),
                "y": float(run.pass_rate),
                "parameters": run.model.parameters,
            }
        )
    return points


GOOD_ENOUGH_POINTS = Decimal("0.05")


def good_enough_run(runs: list[EvalRun]) -> EvalRun | None:
    """The cheapest of the models' latest finished, priced runs within 5 points of the best
    pass rate: "good enough and cheapest", the model worth requesting."""
    latest: dict[int, EvalRun] = {}
    for run in runs:  # newest first
        if run.status == RunStatus.FINISHED and run.model_id not in latest:
            latest[run.model_id] = run
    priced = [(r, r.pass_rate, r.cost_per_1000_cases) for r in latest.values()]
    scored = [(r, rate, cost) for r, rate, cost in priced if rate is not None and cost is not None]
    if not scored:
        return None
    best = max(rate for _, rate, _ in scored)
    enough = [(r, rate, cost) for r, rate, cost in scored if rate >= best - GOOD_ENOUGH_POINTS]
    return min(enough, key=lambda item: (item[2], -item[1]))[0]


def suite_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The suite, its runs (polled while any is running) and where a small model is enough."""
    suite = _suite_for(request, slug)
    runs = list(suite.runs.select_related("model", "started_by").order_by("-created_at", "-id"))
    shown, sort = runs_sorted(runs, request.GET.get("sort", ""))
    context = {
        "suite": suite,
        "runs": shown,
        "sort": sort,
        "headers": headers(sort),
        "active": any(run.status in ACTIVE for run in runs),
        "points": chart_points(runs),
        "pick": good_enough_run(runs),
    }
    if not request.htmx:  # type: ignore[attr-defined]  # set by django-htmx's middleware
        context |= {
            "cases": suite.cases.all()[:5],
            "case_count": suite.cases.count(),
            "may_run": suite.may_run(request.user),
            "models": runnable_models() if suite.may_run(request.user) else [],
        }
    return render_page(
        request, "evaluations/suite_detail.html", "evaluations/partials/runs.html", context
    )


@require_POST
def suite_run(request: HttpRequest, slug: str) -> HttpResponse:
    """Start runs on the picked models (catalog admins and the suite's unit)."""
    suite = _suite_for(request, slug)
    if not suite.may_run(request.user):
        raise PermissionDenied("Only catalog admins and the suite's unit may start runs.")
    picked = request.POST.getlist("models")[: MAX_PICKED + 1]
    models = list(runnable_models().filter(slug__in=picked))
    if not models or len(picked) > MAX_PICKED:
        messages.error(request, f"Pick between 1 and {MAX_PICKED} models to run the suite on.")
        return redirect(suite)
    runs = runs_start(suite=suite, models=models, user=request.user)
    messages.success(request, f"Started {len(runs)} run{'s' if len(runs) != 1 else ''}.")
    return redirect(suite)

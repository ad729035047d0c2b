"""Compare up to four models side by side, with the rows where they differ highlighted."""

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import AIModel, Evaluation
from catalog.templatetags.catalog_ui import eval_score, output_price, price_text, short_count

MAX_COMPARED = 4

ROWS: list[tuple[str, Callable[[AIModel], str]]] = [
    ("Vendor", lambda m: m.vendor.name),
    ("Specialties", lambda m: ", ".join(s.name for s in m.specialties.all()) or "—"),
    ("Size class", lambda m: m.get_size_class_display() or "undisclosed"),
    (
        "Parameters",
        lambda m: (
            f"{short_count(m.parameters)}{' (est.)' if m.parameters_estimated else ''}"
            if m.parameters
            else "undisclosed"
        ),
    ),
    ("Context window", lambda m: short_count(m.context_window) or "—"),
    ("Max output", lambda m: short_count(m.max_output_tokens) or "—"),
    ("Input price", lambda m: _price(m, m.input_price_per_mtok)),
    ("Output price", lambda m: _price(m, output_price(m))),
    ("Status", lambda m: m.get_status_display()),
    ("Cleared for", lambda m: f"{m.get_max_data_classification_display()} data"),
    ("Deployment", lambda m: m.get_deployment_display()),
    ("Open weights", lambda m: "yes" if m.open_weights else "no"),
    ("License", lambda m: m.license or "—"),
    ("Availability", lambda m: m.get_availability_status_display()),
    ("Released", lambda m: m.release_date.isoformat() if m.release_date else "—"),
    ("Deprecation", lambda m: m.deprecation_date.isoformat() if m.deprecation_date else "—"),
]


def _price(model: AIModel, amount: Decimal | None) -> str:
    if not model.is_priced:
        return "unpriced"
    if amount is None:
        return "—"
    return f"{price_text(amount)} {model.get_price_unit_display()}"


def _evaluation_rows(models: list[AIModel]) -> list[dict[str, object]]:
    """One row per evaluated task: each model's best score on it (the metric named), or —."""
    best: list[dict[str, str]] = []
    for model in models:
        scores: dict[str, str] = {}
        for e in sorted(model.evaluations.all(), key=lambda e: (e.task, -e.score)):
            scores.setdefault(e.task, f"{eval_score(e)} {e.metric.replace('_', ' ')}")
        best.append(scores)
    tasks = sorted({task for scores in best for task in scores})
    rows: list[dict[str, object]] = []
    for task in tasks:
        values = [scores.get(task, "—") for scores in best]
        rows.append({"label": f"Eval: {task}", "values": values, "differs": len(set(values)) > 1})
    return rows


def compare(request: HttpRequest) -> HttpResponse:
    """`?m=slug&m=slug…`: the models in the order asked, unknown slugs named, at most four."""
    slugs = list(dict.fromkeys(s for s in request.GET.getlist("m") if s))
    too_many = len(slugs) > MAX_COMPARED
    slugs = slugs[:MAX_COMPARED]
    found = {
        m.slug: m
        for m in AIModel.objects.filter(slug__in=slugs)
        .select_related("vendor", "successor")
        .prefetch_related(
            "specialties",
            Prefetch("evaluations", queryset=Evaluation.objects.visible_to(request.user)),
        )
    }
    models = [found[s] for s in slugs if s in found]
    rows = []
    for label, value in ROWS:
        values = [value(m) for m in models]
        rows.append({"label": label, "values": values, "differs": len(set(values)) > 1})
    rows += _evaluation_rows(models)
    context = {
        "models": models,
        "rows": rows,
        # On a phone: one card per model, its rows in the same order, differences marked.
        "cards": [
            (m, [(row["label"], row["values"][i], row["differs"]) for row in rows])  # type: ignore[index]
            for i, m in enumerate(models)
        ],
        "unknown": [s for s in slugs if s not in found],
        "too_many": too_many,
        "max_compared": MAX_COMPARED,
    }
    return render(request, "catalog/compare.html", context)

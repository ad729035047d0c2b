"""/landscape/: the seed's thesis from the catalog's own data — size against price, one
family's growth over time, latency against size — each with a table and a specialty filter."""

import re
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Avg, F, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.choices import ModelStatus, PriceUnit, SizeClass
from catalog.models import AIModel, Specialty

B = 1_000_000_000
LINEAGE = re.compile(r"^GPT-\d+$")  # the family whose growth the page draws
# A model's colour is its most specific specialty; vision comes after chat, as a chat model that
# also reads images is still a chat model (a vision-only one stays Vision).
SPECIFIC_FIRST = ["code", "reasoning", "embedding", "rerank", "moderation", "image-generation",
                  "audio", "chat", "vision"]  # fmt: skip
# Where a model whose size is known only by its class sits on a size axis: the class's
# geometric middle (small: 1–15B). Marked "by size class" wherever it is shown.
CLASS_BILLIONS = {
    SizeClass.SMALL: 4.0,
    SizeClass.MEDIUM: 39.0,
    SizeClass.LARGE: 224.0,
    SizeClass.FRONTIER: 1000.0,
}
IN_USE = [ModelStatus.APPROVED, ModelStatus.RESTRICTED, ModelStatus.DEPRECATED]


def _billions(parameters: int) -> float:
    return round(parameters / B, 3)


def _series_key(model: AIModel, specialty: Specialty | None) -> str:
    """The filtered specialty, else the model's most specific one (chat is everyone's)."""
    if specialty is not None:
        return specialty.name
    specialties = sorted(
        model.specialties.all(),
        key=lambda s: SPECIFIC_FIRST.index(s.slug) if s.slug in SPECIFIC_FIRST else -1,
    )
    return specialties[0].name if specialties else "Unspecified"


def _models(specialty: Specialty | None, *, by_class: bool = False) -> QuerySet[AIModel]:
    """Models of known size; with `by_class`, also those whose size is known by class only
    (the small embedding and rerank models, whose vendors disclose no parameter count)."""
    sized = Q(parameters__isnull=False)
    if by_class:
        sized |= Q(size_class__in=CLASS_BILLIONS)
    models = AIModel.objects.filter(sized).prefetch_related(
        Prefetch("specialties", queryset=Specialty.objects.order_by("name"))
    )
    if specialty is not None:
        models = models.filter(specialties=specialty)
    return models.select_related("vendor").order_by(F("parameters").asc(nulls_first=True), "name")


def size_billions(model: AIModel) -> float:
    """Its parameters in billions, else its size class's place on the axis."""
    if model.parameters is not None:
        return _billions(model.parameters)
    return CLASS_BILLIONS[SizeClass(model.size_class)]


def size_price(
    specialty: Specialty | None,
) -> tuple[dict[str, list[dict[str, object]]], list[AIModel], list[AIModel]]:
    """Approved models of known size (or size class) with a price per million input tokens;
    and, apart, the approved ones priced per query or image, which that axis cannot place."""
    approved = _models(specialty, by_class=True).filter(
        status=ModelStatus.APPROVED, input_price_per_mtok__gt=0
    )
    rows = list(approved.filter(price_unit=PriceUnit.PER_MTOK))
    series: dict[str, list[dict[str, object]]] = defaultdict(list)
    for m in rows:
        label = m.name if m.parameters is not None else f"{m.name} (by size class)"
        point = {"x": size_billions(m), "y": float(m.input_price_per_mtok), "label": label}  # type: ignore[arg-type]  # filtered: not null
        series[_series_key(m, specialty)].append(point)
    return dict(series), rows, list(approved.exclude(price_unit=PriceUnit.PER_MTOK))


def family_growth() -> tuple[dict[str, object], list[AIModel]]:
    """The largest model of each GPT generation by release year, retired ones included."""
    by_family: dict[str, AIModel] = {}
    for m in AIModel.objects.filter(
        parameters__isnull=False, release_date__isnull=False, family__startswith="GPT-"
    ).order_by("release_date", "-parameters"):
        if LINEAGE.match(m.family) and m.family not in by_family:
            by_family[m.family] = m
    rows = sorted(by_family.values(), key=lambda m: m.release_date)  # type: ignore[arg-type, return-value]  # filtered: not null
    points = [
        {"x": m.release_date.year, "y": _billions(m.parameters), "label": f"{m.family} ({m.name})"}  # type: ignore[union-attr, arg-type]  # as above
        for m in rows
    ]
    return {"line": True, "series": {"GPT": points}}, rows


def latency_size(
    specialty: Specialty | None,
) -> tuple[dict[str, list[dict[str, object]]], Sequence[AIModel]]:
    """Mean latency of each in-use model's availability checks against its size."""
    rows = list(
        _models(specialty)
        .filter(status__in=IN_USE)
        .annotate(mean_latency=Avg("availability_checks__latency_ms"))
        .filter(mean_latency__isnull=False)
    )
    series: dict[str, list[dict[str, object]]] = defaultdict(list)
    for m in rows:
        point = {"x": _billions(m.parameters), "y": round(m.mean_latency), "label": m.name}  # type: ignore[arg-type]  # filtered: not null
        series[_series_key(m, specialty)].append(point)
    return dict(series), rows


def landscape(request: HttpRequest) -> HttpResponse:
    specialties = list(Specialty.objects.order_by("name"))
    chosen = next((s for s in specialties if s.slug == request.GET.get("specialty")), None)
    prices, price_rows, other_units = size_price(chosen)
    growth, growth_rows = family_growth()
    latency, latency_rows = latency_size(chosen)
    context = {
        "specialties": specialties,
        "chosen": chosen,
        "size_price": {"series": prices},
        "price_rows": price_rows,
        "other_units": other_units,
        "growth": growth,
        "growth_rows": growth_rows,
        "latency": {"series": latency},
        "latency_rows": latency_rows,
    }
    return render(request, "evaluations/landscape.html", context)

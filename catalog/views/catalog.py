"""The catalog: the list (one FilterSet shared with the API, kept live by htmx) and one model."""

from datetime import timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from catalog.choices import AdoptionStatus, ModelStatus, SizeClass
from catalog.filtersets import AIModelFilterSet
from catalog.htmx import render_page, wants_fragment
from catalog.models import AIModel, Specialty, Vendor
from catalog.uptime import uptime_percentages
from catalog.views.rows import ROW_FIELDS, catalog_rows

PAGE_SIZE = 50
HISTORY_DAYS = timedelta(days=30)
CHART_POINTS = 200
AUDIT_ROWS = 15
EVAL_ROWS = 50
UPTIME_LABELS = {"24h": "last_24h", "7d": "last_7d", "30d": "last_30d"}
ANY_STATUS = "any"
DEFAULTS = {"page": "1", "status": ModelStatus.APPROVED.value}
# (ordering value, column label): the table's sortable columns.
SORTABLE = {
    "name": "Model",
    "parameters": "Size",
    "context_window": "Context",
    "input_price": "Input / 1M",
    "output_price": "Output / 1M",
}


def _filter_data(params: QueryDict) -> QueryDict:
    """The page lists approved models unless the URL asks for another status (or any)."""
    data = params.copy()
    status = data.get("status")
    if status is None:
        data["status"] = ModelStatus.APPROVED
    elif status in ("", ANY_STATUS):
        data.pop("status")
    return data


def _direction(ordering: str, key: str) -> str:
    """The column's aria-sort value under the current ordering."""
    if ordering == key:
        return "ascending"
    return "descending" if ordering == f"-{key}" else ""


def _canonical_url(request: HttpRequest) -> str:
    """The shareable URL of what is shown: no empty or default parameters."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v and v != DEFAULTS.get(key)]
        if kept:
            params.setlist(key, kept)
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


def _csv_url(request: HttpRequest) -> str:
    """The API's CSV of what the page shows: the same filters (the page's default status
    included) and ordering, every matching row rather than this page."""
    params = QueryDict(mutable=True)
    for key, values in _filter_data(request.GET).lists():
        kept = [v for v in values if v]
        if kept and key != "page":
            params.setlist(key, kept)
    params["format"] = "csv"
    return f"{reverse('aimodel-list')}/?{params.urlencode()}"


def home(request: HttpRequest) -> HttpResponse:
    """The catalog; for htmx requests only the results block, and the URL follows the filters."""
    models = AIModel.objects.all()
    filterset = AIModelFilterSet(_filter_data(request.GET), queryset=models, request=request)
    valid = filterset.is_valid()
    found = filterset.qs if valid else models.none()
    page = Paginator(found.values(*ROW_FIELDS), PAGE_SIZE).get_page(request.GET.get("page"))
    ordering = request.GET.get("ordering", "")
    context = {
        "page": page,
        "rows": catalog_rows(page),
        "errors": filterset.errors,
        "current": request.GET,
        "current_status": request.GET.get("status", ModelStatus.APPROVED),
        "ordering": ordering,
        "columns": [(key, label, _direction(ordering, key)) for key, label in SORTABLE.items()],
        "csv_url": _csv_url(request),
    }
    if not wants_fragment(request):
        context |= {
            "vendors": Vendor.objects.only("slug", "name"),
            "specialties": Specialty.objects.only("slug", "name"),
            "sizes": SizeClass.choices,
            "statuses": ModelStatus.choices,
        }
    response = render_page(
        request,
        "catalog/home.html",
        "catalog/partials/model_table.html",
        context,
        status=200 if valid else 400,
    )
    if wants_fragment(request):
        response["HX-Push-Url"] = _canonical_url(request)
    return response


def model_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One model: specs, lifecycle, price and availability history, who uses it, what changed."""
    model = get_object_or_404(
        AIModel.objects.select_related("vendor", "successor").prefetch_related("specialties"),
        slug=slug,
    )
    since = timezone.now() - HISTORY_DAYS
    uptime = uptime_percentages(model.pk, now=timezone.now())
    prices = list(model.price_observations.order_by("-observed_at", "-id")[:CHART_POINTS])
    checks = list(
        model.availability_checks.filter(checked_at__gte=since).order_by("-checked_at", "-id")[
            :CHART_POINTS
        ]
    )
    context = {
        "model": model,
        "prices": prices,
        "price_chart": [
            {
                "t": p.observed_at.isoformat(),
                "input": _number(p.input_price_per_mtok),
                "output": _number(p.output_price_per_mtok),
            }
            for p in reversed(prices)
        ],
        "checks": checks,
        "availability_chart": [
            {"t": c.checked_at.isoformat(), "status": c.status, "latency": c.latency_ms}
            for c in reversed(checks)
        ],
        "uptime": {label: uptime[key] for label, key in UPTIME_LABELS.items()},
        "evaluations": model.evaluations.order_by("task", "metric", "-date", "-score")[:EVAL_ROWS],
        "adoptions": model.adoptions.filter(status=AdoptionStatus.ACTIVE).select_related("unit"),
        "history": _audit_trail(model),
        "requestable": model.status in (ModelStatus.APPROVED, ModelStatus.RESTRICTED),
    }
    return render(request, "catalog/model_detail.html", context)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value.normalize())


def _audit_trail(model: AIModel) -> list[dict[str, object]]:
    """The latest history records with what each changed against the one before it."""
    records = list(
        model.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : AUDIT_ROWS + 1
        ]
    )
    trail = []
    for record, previous in zip(records, [*records[1:], None], strict=False):
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [(c.field, c.new) for c in delta.changes]
        trail.append({"record": record, "changes": changes})
    return trail[:AUDIT_ROWS]

"""The catalog: the list (one FilterSet shared with the API, kept live by htmx) and one model."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from catalog.choices import AvailabilityStatus, ModelStatus, PriceUnit, SizeClass
from catalog.counts import CachedCountPaginator, cached_count
from catalog.filtersets import (
    AVAILABLE_CHOICES,
    LIFECYCLE_CHOICES,
    OR_NOT_MONITORED,
    AIModelFilterSet,
)
from catalog.forms import cost_sides, live_cost
from catalog.models import AIModel
from catalog.templatetags.catalog_ui import price_text, short_count
from catalog.uptime import uptime_percentages
from catalog.views.filter_options import (
    ANY_STATUS,
    options_html,
    vendor_and_specialty_options,
    with_selected,
)
from catalog.views.rows import catalog_rows, row_values
from catalog.views.table_links import pager_links, sort_headers
from core.htmx import render_page, wants_fragment

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100)
HISTORY_DAYS = timedelta(days=30)
CHART_POINTS = 200
AUDIT_ROWS = 15
SAME_EDIT = timedelta(seconds=2)  # history records this close by one user are one edit
EVAL_ROWS = 50
# Sets audited with the model (field → the related model's name in its history rows).
AUDITED_SETS = {"specialties": "specialty", "allowed_units": "businessunit"}
FIELD_LABELS = {"input_price_per_mtok": "Input price", "output_price_per_mtok": "Output price"}
UPTIME_LABELS = {"24h": "last_24h", "7d": "last_7d", "30d": "last_30d"}
DEFAULTS = {"page": "1", "status": ModelStatus.APPROVED.value, "page_size": str(PAGE_SIZE)}
# (ordering value, column label): the table's sortable columns.
SORTABLE = {
    "name": "Model",
    "parameters": "Size",
    "context_window": "Context",
    "input_price": "Input / 1M",
    "output_price": "Output / 1M",
    "blended_price": "Blended / 1M",
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


def _labelled(filterset: AIModelFilterSet) -> dict[str, list[str]]:
    """Errors under the labels people see ("Max input price"), not parameter names."""
    fields = filterset.form.fields
    return {
        str(fields[name].label) if name in fields else name: list(messages)
        for name, messages in filterset.errors.items()
    }


def _matches_elsewhere(request: HttpRequest, count: int, valid: bool) -> int:
    """Nothing found under the default status: how many other statuses would match, so the
    empty table can say so instead of suggesting the catalog lacks the model."""
    if count or not valid or "status" in request.GET:
        return 0
    data = _filter_data(request.GET)
    data.pop("status", None)
    filterset = AIModelFilterSet(
        data, queryset=AIModel.objects.all(), request=request, given_only=True
    )
    return cached_count(filterset.qs)


def _not_monitored(request: HttpRequest, filterset: AIModelFilterSet, valid: bool) -> int | None:
    """Under an availability filter, how many not-monitored models it leaves out ("available")
    or lets in ("or not monitored"), so neither happens silently; None without that filter."""
    available = request.GET.get("available")
    if not valid or available not in ("true", OR_NOT_MONITORED):
        return None
    found = AIModel.objects.filter(availability_status=AvailabilityStatus.NOT_MONITORED)
    # The page's other filters, already validated: FilterSet.filter_queryset without `available`.
    for name, value in filterset.form.cleaned_data.items():
        if name not in ("available", "ordering"):
            found = filterset.filters[name].filter(found, value)
    return cached_count(found)


def home(request: HttpRequest) -> HttpResponse:
    """The catalog; for htmx requests only the results block, and the URL follows the filters."""
    models = AIModel.objects.all()
    # The template writes its own fields: only the filters in the URL are built and validated.
    filterset = AIModelFilterSet(
        _filter_data(request.GET), queryset=models, request=request, given_only=True
    )
    valid = filterset.is_valid()
    found = filterset.qs if valid else models.none()
    size = request.GET.get("page_size", "")
    page_size = int(size) if size in {str(s) for s in PAGE_SIZES} else PAGE_SIZE
    paginator = CachedCountPaginator(row_values(found), page_size, counted=found)
    page = paginator.get_page(request.GET.get("page"))
    ordering = request.GET.get("ordering", "")
    context: dict[str, Any] = {
        "page": page,
        "rows": catalog_rows(page),
        "errors": _labelled(filterset),
        "page_size": page_size,
        "page_sizes": PAGE_SIZES,
        "other_params": [
            (key, value) for key, values in request.GET.lists() if key != "page" for value in values
        ],
        "current": request.GET,
        "current_status": request.GET.get("status", ModelStatus.APPROVED),
        "ordering": ordering,
        "pager": pager_links(request.GET, page),
        "sort_headers": sort_headers(
            request.GET,
            [(key, label, _direction(ordering, key)) for key, label in SORTABLE.items()],
        ),
        "csv_url": _csv_url(request),
        "elsewhere": _matches_elsewhere(request, page.paginator.count, valid),
        "not_monitored": _not_monitored(request, filterset, valid),
        "or_not_monitored": OR_NOT_MONITORED,
    }
    if not wants_fragment(request):
        vendors, specialties = vendor_and_specialty_options(context["current_status"])
        get = request.GET.get
        context["options"] = {
            "vendor": with_selected(vendors, get("vendor")),
            "specialty": with_selected(specialties, get("specialty")),
            "size_class": options_html(SizeClass.choices, get("size_class")),
            "status": options_html(ModelStatus.choices, context["current_status"]),
            "lifecycle": options_html(LIFECYCLE_CHOICES, get("lifecycle")),
            "available": options_html(
                [c for c in AVAILABLE_CHOICES if c[0] != "false"], get("available")
            ),
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
    """One model: specs, lifecycle, price and availability history, who uses it, what changed;
    for htmx, the monthly cost of the volumes typed in its calculator (the request form's
    estimate and fragment)."""
    model = get_object_or_404(
        AIModel.objects.select_related("vendor", "successor").prefetch_related("specialties"),
        slug=slug,
    )
    per_token = model.price_unit == PriceUnit.PER_MTOK
    calculator = {
        "cost": live_cost(model, request.GET, in_units=True),
        "priced": model.is_priced,
        "volumes_text": "token volumes" if per_token else "volumes",
        "unpriced_text": "This model is unpriced here: the cost cannot be estimated.",
    }
    if wants_fragment(request):
        response = render(request, "catalog/partials/live_cost.html", calculator)
        patch_vary_headers(response, ["HX-Request"])
        return response
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
        "evaluations": model.evaluations.visible_to(request.user).order_by(
            "task", "metric", "-date", "-score"
        )[:EVAL_ROWS],
        "adoptions": model.adoptions.in_force().select_related("unit"),
        "history": _audit_trail(model),
        "requestable": model.status in (ModelStatus.APPROVED, ModelStatus.RESTRICTED),
        "cost_sides": [
            (name, label, request.GET.get(name, "")) for name, label in cost_sides(model)
        ],
        **calculator,
    }
    response = render(request, "catalog/model_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value.normalize())


def _audit_trail(model: AIModel) -> list[dict[str, object]]:
    """The latest edits with what each changed against the state before it, sets (specialties,
    allowed units) as what was added and removed. One edit saves the row and then each set
    change (a `set()` removes, then adds) as records of their own: records of one user within
    a moment are shown as one edit."""
    records = list(
        model.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : AUDIT_ROWS * 3 + 1
        ]
    )
    sets = _audited_sets([r.history_id for r in records])
    edits: list[list[Any]] = []
    for record in records:
        last = edits[-1][-1] if edits else None
        if last is not None and _same_edit(last, record):
            edits[-1].append(record)
        else:
            edits.append([record])
    trail = []
    for edit, before in zip(edits, [*edits[1:], None], strict=False):
        newest = edit[0]
        changes: list[tuple[str, object]] = []
        if before is not None:
            previous = before[0]
            delta = newest.diff_against(previous, excluded_fields=list(AUDITED_SETS))
            changes = [(c.field, _readable(c.field, c.new)) for c in delta.changes]
            for field in AUDITED_SETS:
                old, new = sets[field][previous.history_id], sets[field][newest.history_id]
                if old != new:
                    changes.append((field, _set_change(old, new)))
        created = edit[-1] if edit[-1].history_type == "+" else None
        trail.append({"record": created or newest, "changes": changes})
    return [
        {**entry, "changes": [(_label(f), v) for f, v in entry["changes"]]}
        for entry in trail[:AUDIT_ROWS]
    ]


def _label(field: str) -> str:
    """A field as people read it: "open_weights" → "Open weights"."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    try:
        return str(AIModel._meta.get_field(field).verbose_name).capitalize()  # type: ignore[union-attr]  # history has no reverse relations
    except FieldDoesNotExist:
        return field


def _readable(field: str, value: object) -> object:
    """A recorded value as the pages show it: names for links, labels for choices, yes/no,
    short counts and rounded prices, never a raw id ("successor → 702") or True."""
    if value is None or value == "":
        return value
    try:
        model_field = AIModel._meta.get_field(field)
    except FieldDoesNotExist:
        return value
    if model_field.is_relation and model_field.related_model is not None:
        target = model_field.related_model._default_manager.filter(pk=value).first()
        return str(target) if target is not None else f"#{value} (deleted)"
    if model_field.choices:  # type: ignore[union-attr]  # as in _label
        return dict(model_field.flatchoices).get(value, value)  # type: ignore[union-attr]  # as above
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in ("parameters", "context_window", "max_output_tokens") and isinstance(value, int):
        return short_count(value)
    if isinstance(value, Decimal):
        return price_text(value)
    return value


def _same_edit(later: Any, earlier: Any) -> bool:
    """`earlier` is part of the same edit as `later`: same user, moments apart, and `later`
    only continues it (a creation or deletion starts an edit of its own)."""
    return (  # type: ignore[no-any-return]  # history records are untyped
        later.history_type == "~"
        and later.history_user_id == earlier.history_user_id
        and later.history_date - earlier.history_date < SAME_EDIT
    )


def _audited_sets(history_ids: list[int]) -> dict[str, defaultdict[int, set[str]]]:
    """Each record's specialties and allowed units by name: one query per set, not per row."""
    sets: dict[str, defaultdict[int, set[str]]] = {f: defaultdict(set) for f in AUDITED_SETS}
    if not history_ids:
        return sets
    history_model = AIModel.history.model
    for field, target in AUDITED_SETS.items():
        rows = getattr(history_model, field).model.objects.filter(history_id__in=history_ids)
        for history_id, name in rows.values_list("history_id", f"{target}__name"):
            sets[field][history_id].add(name)
    return sets


def _set_change(before: set[str], after: set[str]) -> str:
    added = [f"+{name}" for name in sorted(after - before)]
    removed = [f"−{name}" for name in sorted(before - after)]
    return ", ".join(added + removed)

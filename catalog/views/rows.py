"""The catalog table's rows, rendered in Python from plain values.

This is the list's hot path: every keystroke in "Search models" renders up to 50 rows, and
Django template lookups per cell would cost several times what the JSON API spends on the same
rows (bench_pages). Everything interpolated is escaped here; the result is marked safe once.
Django's `format_html_join` renders the same bytes about 9× slower (2.2 against 0.24 ms per 50
rows; fragment/JSON ratio in bench_pages 1.0–1.05 against 0.86–0.94), so it is not used here.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from catalog.choices import AvailabilityStatus, ModelStatus, PriceUnit
from catalog.formatting import embeds_only
from catalog.lifecycle import badge_html, lifecycle
from catalog.models import AIModel
from catalog.specialties import SPECIALTY_SLUGS, specialty_slugs, with_specialty_slugs
from catalog.templatetags.catalog_ui import price as price_html
from catalog.templatetags.catalog_ui import short_count

ROW_FIELDS = (
    "id",
    "slug",
    "name",
    "vendor_model_id",
    "vendor__name",
    "size_class",
    "parameters",
    "parameters_estimated",
    "context_window",
    "input_price_per_mtok",
    "output_price_per_mtok",
    "price_unit",
    "status",
    "availability_status",
    "deprecation_date",
    "retirement_date",
    "successor_id",
    "output_modalities",
)
DASH = '<span class="muted">—</span>'
STATUS_LABELS = dict(ModelStatus.choices)
AVAILABILITY_LABELS = dict(AvailabilityStatus.choices)
UNIT_LABELS = dict(PriceUnit.choices)
NONE = ("", "")  # no successor: no name, no slug


def row_values(queryset: QuerySet[AIModel]) -> QuerySet[Any]:
    """`.values(*ROW_FIELDS)`, with the specialty slugs where one query can read them."""
    annotated = with_specialty_slugs(queryset)
    extra = [SPECIALTY_SLUGS] if annotated is not queryset else []
    return annotated.values(*ROW_FIELDS, *extra)  # type: ignore[no-any-return]  # a splat: untyped


def catalog_rows(rows: Iterable[dict[str, Any]]) -> list[SafeString]:
    """One `<tr>` per `row_values` row; specialties the rows lack are read in one query."""
    rows = list(rows)
    specialties = specialty_slugs(rows)
    successors = _successors({r["successor_id"] for r in rows} - {None})
    detail = reverse("catalog:model_detail", args=["-"])[:-2]
    today = timezone.localdate()
    return [
        mark_safe(  # noqa: S308
            _row(r, detail, specialties[r["id"]], successors.get(r["successor_id"], NONE), today)
        )
        for r in rows
    ]


def _successors(ids: set[int]) -> dict[int, tuple[str, str]]:
    """(name, slug) of the successors the rows name, read only when one does: joining the
    catalog to itself for them took a fifth of the page query's planning (0.4 of 2 ms)."""
    if not ids:
        return {}
    found = AIModel.objects.filter(pk__in=ids).values_list("pk", "name", "slug")
    return {pk: (name, slug) for pk, name, slug in found}


def _row(
    r: dict[str, Any],
    detail: str,
    specialties: list[str],
    successor: tuple[str, str],
    today: date,
) -> str:
    name, slug = escape(r["name"]), escape(r["slug"])
    model_id = r["vendor_model_id"]
    if model_id != r["name"]:
        shown = model_id if len(model_id) <= 48 else model_id[:47] + "…"
        name_cell = f'{name}</a><br><small class="muted mono">{escape(shown)}</small>'
    else:
        name_cell = f"{name}</a>"
    tags = "".join(f'<span class="tag">{escape(s)}</span>' for s in specialties)
    size = escape(r["size_class"].capitalize()) if r["size_class"] else DASH
    if r["parameters"]:
        estimated = " est." if r["parameters_estimated"] else ""
        size += f' <small class="muted">{short_count(r["parameters"])}{estimated}</small>'
    context = short_count(r["context_window"]) if r["context_window"] else DASH
    badge = lifecycle(
        r["deprecation_date"],
        r["retirement_date"],
        *successor,
        today,
    )
    return (
        f'<tr><td><input type="checkbox" name="m" value="{slug}" '
        f'aria-label="Select {name} for comparison"></td>'
        f'<th scope="row"><a href="{detail}{slug}/">{name_cell}</th>'
        f"<td>{escape(r['vendor__name'])}</td>"
        f'<td class="col-optional">{tags}</td>'
        f'<td class="nowrap">{size}</td>'
        f'<td class="num">{context}</td>'
        f"{_prices(r)}"
        f'<td><span class="status status-{escape(r["status"])}">'
        f"{STATUS_LABELS.get(r['status'], '')}</span>"
        f"{'<br>' + badge_html(badge, detail) if badge else ''}</td>"
        f"<td>{_availability(r['availability_status'])}</td></tr>"
    )


def _availability(status: str) -> str:
    """A dot, named for screen readers and on hover; "not monitored" also in words, as no dot
    colour says "nobody can check" (issue 15 item 3)."""
    label = AVAILABILITY_LABELS.get(status, "")
    if status == AvailabilityStatus.NOT_MONITORED:
        return (
            f'<span class="dot dot-{status}" title="{label}" aria-hidden="true"></span> '
            f'<small class="muted avail-text">{label.lower()}</small>'
        )
    return (
        f'<span class="dot dot-{escape(status)}" title="{label}">'
        f'<span class="visually-hidden">{label}</span></span>'
    )


def _prices(r: dict[str, Any]) -> str:
    """Per-token prices in the two per-1M columns; a price in another unit spans both, named
    with its unit, so it never reads as a per-token price (and sorts after them)."""
    output = None if embeds_only(r["output_modalities"]) else r["output_price_per_mtok"]
    prices: tuple[Decimal | None, Decimal | None] = (r["input_price_per_mtok"], output)
    if r["input_price_per_mtok"] is None and r["output_price_per_mtok"] is None:
        return f'<td class="num muted" colspan="2">unpriced</td><td class="num">{DASH}</td>'
    if r["price_unit"] != PriceUnit.PER_MTOK:
        parts = [
            f"{side} {price_html(price)}"
            for side, price in zip(("in", "out"), prices, strict=True)
            if price is not None
        ]
        unit = escape(UNIT_LABELS.get(r["price_unit"], ""))
        return (
            f'<td class="num other-unit" colspan="2">{" · ".join(parts)} '
            f'<small class="muted">{unit}</small></td><td class="num">{DASH}</td>'
        )
    cells = [price_html(price) if price is not None else DASH for price in prices]
    blended = DASH
    if None not in prices:
        blended = price_html((3 * prices[0] + prices[1]) / 4)  # type: ignore[operator, arg-type]  # no None here
    return "".join(f'<td class="num">{cell}</td>' for cell in [*cells, blended])

"""The catalog filters' `<option>` lists, rendered in Python like the table's rows (rows.py).

The vendor list grows with the catalog (about 1,900 vendors at 100,000 models in bench_api):
a template loop over it cost more than the rest of the page, and choosing the vendors in scope
another query. Vendor and specialty options are rendered once per catalog generation and
status (catalog/counts.py) and cached as HTML; a request only marks its selected option.
"""

from collections.abc import Iterable
from html import escape

from django.db.models import Exists, OuterRef
from django.utils.safestring import SafeString, mark_safe

from catalog.choices import ModelStatus
from catalog.counts import generation_cached
from catalog.models import AIModel, Specialty, Vendor

ANY_STATUS = "any"


def options_html(
    choices: Iterable[tuple[object, object]], selected: str | None = None
) -> SafeString:
    """`<option>`s as the page's templates wrote them, `selected` (a value) marked."""
    return with_selected("".join(_option(value, label) for value, label in choices), selected)


def with_selected(options: str, selected: str | None) -> SafeString:
    """`options` with the one whose value is `selected` marked, as `{% if %} selected` did."""
    if selected:
        value = escape(selected)
        options = options.replace(
            f'<option value="{value}">', f'<option value="{value}" selected>', 1
        )
    return mark_safe(options)  # noqa: S308 -- every value and label was escaped by _option


def _option(value: object, label: object) -> str:
    return f'<option value="{escape(str(value))}">{escape(str(label))}</option>'


def vendor_and_specialty_options(status: str) -> tuple[str, str]:
    """The vendor options under the status shown (and the specialty options), unselected."""
    if status in ("", ANY_STATUS):
        status = ANY_STATUS
    elif status not in ModelStatus.values:  # matches no model, so no vendor (the page says 400)
        return "", vendor_and_specialty_options(ANY_STATUS)[1]
    return generation_cached(f"catalog:filter-options:{status}", lambda: _render(status))[0]


def _render(status: str) -> tuple[str, str]:
    vendors = Vendor.objects.order_by("name")
    if status != ANY_STATUS:  # only vendors with a model under the status shown
        vendors = vendors.filter(
            Exists(AIModel.objects.filter(vendor=OuterRef("pk"), status=status))
        )
    specialties = Specialty.objects.values_list("slug", "name")
    return (
        "".join(_option(slug, name) for slug, name in vendors.values_list("slug", "name")),
        "".join(_option(slug, name) for slug, name in specialties),
    )

"""The catalog table's sort headers and pager links, written in Python like its rows (rows.py).

Six sortable columns, each with a `{% querystring %}` tag under three `{% if %}`s, took the
template longer than the 50 rows; these write the same HTML.
"""

from html import escape
from typing import Any

from django.core.paginator import Page
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

MARKS = {"ascending": "▲", "descending": "▼"}
# After the model's name come two columns that do not sort.
AFTER = {
    "name": '\n        <th scope="col">Vendor</th>'
    '\n        <th scope="col" class="col-optional">Specialties</th>'
}
UNCLASSED = ("name", "parameters")  # the other sortable columns are numbers, right-aligned


def querystring(params: QueryDict, **changes: object) -> SafeString:
    """`params` changed as Django's `{% querystring %}` tag changes them (None removes a key),
    escaped for an attribute as the template escaped the tag's output."""
    changed = params.copy()
    for key, value in changes.items():
        if value is None:
            changed.pop(key, None)
        else:
            changed[key] = value  # type: ignore[assignment]  # urlencode() str()s it
    if not changed and not params:
        return mark_safe("")
    return mark_safe(escape(f"?{changed.urlencode()}"))  # noqa: S308 -- escaped


def sort_headers(params: QueryDict, columns: list[tuple[str, str, str]]) -> SafeString:
    """The sortable columns' `<th>`s, each linking to its other direction (the page reset);
    `columns` are (ordering key, label, aria-sort direction or "")."""
    cells = []
    for key, label, direction in columns:
        ordering = f"-{key}" if direction == "ascending" else key
        attributes = "" if key in UNCLASSED else ' class="num"'
        if direction:
            attributes += f' aria-sort="{direction}"'
        href = querystring(params, ordering=ordering, page=None)
        cells.append(
            f'\n        <th scope="col"{attributes}><a href="{href}" class="sort" '
            f'id="sort-{escape(key)}">{escape(label)}<span class="sort-mark" aria-hidden="true">'
            f"{MARKS.get(direction, '')}</span></a></th>{AFTER.get(key, '')}\n        "
        )
    return mark_safe("".join(cells))  # noqa: S308 -- keys, labels and links escaped above


def pager_links(params: QueryDict, page: Page[Any]) -> dict[str, SafeString]:
    """The pager's first, previous, next and last page links that apply."""
    links = {}
    if page.has_previous():
        links["first"] = querystring(params, page=1)
        links["previous"] = querystring(params, page=page.previous_page_number())
    if page.has_next():
        links["next"] = querystring(params, page=page.next_page_number())
        links["last"] = querystring(params, page=page.paginator.num_pages)
    return links

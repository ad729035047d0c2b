"""`?format=csv` for the usage reports: the response's rows as CSV, nested references by slug.

Minimal and self-contained on purpose (a shared CSV renderer may replace it): it renders
`results` (or a bare list) and nothing else, and guards cells a spreadsheet would execute.
"""

import csv
import io
from typing import Any

from rest_framework.renderers import BaseRenderer

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        value = value.get("slug", "")
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _number(value):
        return "'" + value
    return value


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


class UsageCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        rows = data.get("results", data) if isinstance(data, dict) else data
        if not isinstance(rows, list):  # an error body: keep it readable
            rows = [data] if isinstance(data, dict) else []
        out = io.StringIO()
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore")
            writer.writeheader()
            writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
        return out.getvalue().encode()

"""`?format=csv` for the usage reports: the response's rows as CSV, nested references by slug.

Minimal and self-contained on purpose (a shared CSV renderer may replace it): it renders
`results` (or a bare list) and nothing else, and guards cells a spreadsheet would execute.
"""

import csv
import io
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer

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
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            # Errors keep DRF's JSON shape, whatever format the caller asked for.
            response["Content-Type"] = "application/json"
            return JSONRenderer().render(data)
        rows = data.get("results", data) if isinstance(data, dict) else data
        if not isinstance(rows, list):
            rows = []
        # The view names its columns, so an empty report is still a header line (an empty body
        # would lose its Content-Type).
        view = (renderer_context or {}).get("view")
        columns = getattr(view, "csv_columns", None) or (list(rows[0]) if rows else ["empty"])
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
        return out.getvalue().encode()

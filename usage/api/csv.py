"""`?format=csv` for the usage reports: the response's rows through catalog's one CSV writer
(injection-safe, Decimals as written), nested references by slug.

A view names its row serializer (`csv_serializer`): its fields are the columns, so an empty
report is still a header line, and its number fields are written as numbers, never neutralized.
"""

from typing import Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer

from core.csv_export import csv_lines

NUMBER_FIELDS = (serializers.DecimalField, serializers.IntegerField, serializers.FloatField)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.get("slug") if isinstance(v, dict) else v for k, v in row.items()}


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
        fields = (renderer_context or {})["view"].csv_serializer().fields
        numeric = [name for name, field in fields.items() if isinstance(field, NUMBER_FIELDS)]
        records = (_flat(row) for row in (rows if isinstance(rows, list) else []))
        return b"".join(csv_lines([(name, name) for name in fields], records, numeric=numeric))

"""What the API's CSV downloads hold: the columns of each export (dotted paths into the JSON
representation, so a CSV row says what the JSON says) and the catalog's rows read in chunks."""

from collections.abc import Iterator
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from catalog.api.model_fields import MODEL_COLUMNS, MODEL_FIELDS
from catalog.api.serializers import model_representations
from catalog.models import AIModel

FORMAT_JSON_OR_CSV = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv`: every matching row (not one page) as a streamed CSV download.",
)
CSV_CHUNK = 500  # models read per query while a CSV streams
# The API's model fields, the nested availability flattened into columns of its own.
MODEL_CSV_COLUMNS = [
    column
    for name in MODEL_FIELDS
    for column in (
        [
            (f"availability_{sub}" if sub != "latency_ms" else sub, f"availability.{sub}")
            for sub in ("status", "checked_at", "latency_ms")
        ]
        if name == "availability"
        else [(name, name)]
    )
]


def model_records(ids: list[int], request: Request) -> Iterator[dict[str, Any]]:
    """The models' API representations in the order of `ids`, read a chunk at a time."""
    for start in range(0, len(ids), CSV_CHUNK):
        chunk = ids[start : start + CSV_CHUNK]
        rows = {r["id"]: r for r in AIModel.objects.filter(pk__in=chunk).values(*MODEL_COLUMNS)}
        yield from model_representations([rows[pk] for pk in chunk if pk in rows], request)


ALLOW_LIST_CSV_COLUMNS = [
    ("adoption", "id"),
    ("model", "model.slug"),
    ("model_name", "model.name"),
    ("vendor", "model.vendor"),
    ("vendor_model_id", "model.vendor_model_id"),
    ("business_unit", "business_unit"),
    ("use_case", "use_case"),
    ("approved_at", "approved_at"),
    ("expires_at", "expires_at"),
    ("expected_monthly_input_tokens", "expected_monthly_input_tokens"),
    ("expected_monthly_output_tokens", "expected_monthly_output_tokens"),
    ("estimated_monthly_cost", "estimated_monthly_cost"),
    ("deprecation_date", "deprecation_date"),
    ("retirement_date", "retirement_date"),
    ("successor", "successor"),
]
SAVINGS_CSV_COLUMNS = [
    ("adoption", "adoption"),
    ("model", "model.slug"),
    ("model_name", "model.name"),
    ("vendor", "model.vendor"),
    ("use_case", "use_case"),
    ("current_monthly_cost", "current_monthly_cost"),
    ("alternative", "alternative.model.slug"),
    ("alternative_vendor", "alternative.model.vendor"),
    ("alternative_monthly_cost", "alternative.estimated_monthly_cost"),
    ("monthly_saving", "monthly_saving"),
    ("successor", "successor.slug"),
]
# Money the serializers render as text: written as it is, a negative amount included.
MONEY_COLUMNS = {
    "estimated_monthly_cost",
    "current_monthly_cost",
    "alternative_monthly_cost",
    "monthly_saving",
}

"""CSV for the people who live in spreadsheets: one streamed, injection-safe rendering that every
export uses (the catalog, allow-lists and savings here; usage and spend later).

A header row, then one row per record; UTF-8; Decimals exactly as written (never through float);
dates and times in ISO 8601; lists joined with "; ". A text cell that a spreadsheet would run as
a formula (it starts with =, +, -, @, tab or carriage return) gets a leading apostrophe, as
OWASP advises, so it shows as text. Numbers are written by us, never neutralized.
"""

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200  # rows encoded and sent together: fewer, larger writes, memory still flat
# (header, dotted path into the record): which column reads which value.
Columns = Sequence[tuple[str, str]]


def safe_text(text: str) -> str:
    """The text as a spreadsheet will show it, never run it."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def cell(value: Any, *, numeric: bool = False) -> str:
    """One value as CSV text. `numeric`: a number already rendered as text by our serializers
    (a Decimal string such as "2.500000"), written as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return safe_text("; ".join(cell(item) for item in value))
    text = str(value)
    return text if numeric else safe_text(text)


def pick(record: Mapping[str, Any], path: str) -> Any:
    """`record["a"]["b"]` for "a.b"; None where a level is missing or null."""
    value: Any = record
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


class _Line:
    """csv.writer writes into this and gets the line back (Django's streaming CSV recipe)."""

    def write(self, line: str) -> str:
        return line


def csv_lines(
    columns: Columns, records: Iterable[Mapping[str, Any]], *, numeric: Iterable[str] = ()
) -> Iterator[bytes]:
    """The header, then the records' rows, UTF-8 encoded, a chunk of rows at a time."""
    writer = csv.writer(_Line())
    numbers = set(numeric)
    yield writer.writerow([header for header, _ in columns]).encode()
    chunk: list[str] = []
    for record in records:
        chunk.append(
            writer.writerow(
                [cell(pick(record, path), numeric=header in numbers) for header, path in columns]
            )
        )
        if len(chunk) == ROWS_PER_CHUNK:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def csv_response(
    filename: str,
    columns: Columns,
    records: Iterable[Mapping[str, Any]],
    *,
    numeric: Iterable[str] = (),
) -> StreamingHttpResponse:
    """A streamed download: rows are read and sent as the client takes them."""
    response = StreamingHttpResponse(
        csv_lines(columns, records, numeric=numeric), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""An AIModel's fields in the API, defined once.

`FIELDS` is the one list: the serializer's `Meta.fields`, the columns the fast path reads, the
fast path's dict (`represent`) and the CSV's columns all derive from it, in its order. Adding a
plain field is one line here (a `Field` whose column is the model field of the same name).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

import orjson

from catalog.models.costs import EXTRA_PRICE_FIELDS

Row = Mapping[str, Any]
JSON_COLUMNS = ("input_modalities", "output_modalities", "regions")
AS_TEXT = "__text"  # a JSON column read as its text, `regions__text`
PRICE_COLUMNS = frozenset(
    {"input_price_per_mtok", "output_price_per_mtok", *EXTRA_PRICE_FIELDS}
) - {"long_context_threshold"}


def iso_datetime(value: datetime | None) -> str | None:
    """DRF's DateTimeField rendering (UTC as `Z`), without its per-call settings lookups."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def decimal_string(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def json_value(row: Row, column: str) -> Any:
    """A JSON column's value from a row, decoded from its text when it was read so (orjson:
    JSONField decodes with the standard library, 15 % of a page's time)."""
    if (key := f"{column}{AS_TEXT}") not in row:
        return row[column]
    return None if row[key] is None else orjson.loads(row[key])


@dataclass(frozen=True)
class Field:
    """One API field: the `.values()` columns it reads and how a row becomes its value (by
    default the value of its one column, as read)."""

    name: str
    columns: tuple[str, ...] = ()
    write: Callable[[Any], Any] | None = None  # of the one column's value
    from_row: Callable[[Row], Any] | None = None  # of the whole row

    def getter(self) -> Callable[[Row], Any]:
        if self.from_row is not None:
            return self.from_row
        column = (self.columns or (self.name,))[0]
        if self.write is None:
            return itemgetter(column)
        write = self.write
        return lambda row: write(row[column])

    def read(self) -> tuple[str, ...]:
        return self.columns or (self.name,)


def _plain(name: str) -> Field:
    if name in PRICE_COLUMNS:
        return Field(name, write=decimal_string)
    if name in JSON_COLUMNS:
        return Field(name, from_row=lambda row: json_value(row, name))
    return Field(name)


def _availability(row: Row) -> dict[str, Any]:
    return {
        "status": row["availability_status"],
        "checked_at": iso_datetime(row["availability_checked_at"]),
        "latency_ms": row["latency_ms"],
    }


# Computed per call by `represent` (they need the request or a second query): no columns.
SPECIALTIES, URL = "specialties", "url"

FIELDS: tuple[Field, ...] = (
    _plain("slug"),
    _plain("name"),
    Field("vendor", ("vendor__slug",)),
    _plain("vendor_model_id"),
    _plain("family"),
    Field(SPECIALTIES, ("id",)),
    _plain("parameters"),
    _plain("parameters_estimated"),
    _plain("size_class"),
    _plain("context_window"),
    _plain("max_output_tokens"),
    _plain("input_modalities"),
    _plain("output_modalities"),
    _plain("input_price_per_mtok"),
    _plain("output_price_per_mtok"),
    *map(_plain, EXTRA_PRICE_FIELDS),
    _plain("price_unit"),
    Field("price_checked_at", write=iso_datetime),
    _plain("license"),
    _plain("open_weights"),
    _plain("deployment"),
    _plain("regions"),
    _plain("status"),
    _plain("max_data_classification"),
    Field("release_date", write=iso_date),
    Field("deprecation_date", write=iso_date),
    Field("retirement_date", write=iso_date),
    Field("successor", ("successor__slug",)),
    Field(
        "availability",
        ("availability_status", "availability_checked_at", "latency_ms"),
        from_row=_availability,
    ),
    Field(URL, ("slug",)),
)
MODEL_FIELDS = tuple(field.name for field in FIELDS)
# Columns read for a model representation; the keys of the dict each row becomes.
MODEL_COLUMNS = tuple(dict.fromkeys(("id", *(c for field in FIELDS for c in field.read()))))
_GETTERS = tuple((field.name, field.getter()) for field in FIELDS)


def represent(
    rows: Iterable[Row], specialties: Mapping[int, list[str]], url_prefix: str
) -> list[dict[str, Any]]:
    """The API dicts of `.values(*MODEL_COLUMNS)` rows, in FIELDS' order."""
    computed: dict[str, Callable[[Row], Any]] = {
        SPECIALTIES: lambda row: specialties.get(row["id"], []),
        URL: lambda row: f"{url_prefix}{row['slug']}/",
    }
    getters = [(name, computed.get(name, get)) for name, get in _GETTERS]
    return [{name: get(row) for name, get in getters} for row in rows]

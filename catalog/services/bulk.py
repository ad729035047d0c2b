"""A bulk UPDATE that stays one statement per batch: `UPDATE … FROM (VALUES …)`.

Django's `bulk_update` builds a CASE WHEN per row and field, which costs seconds of CPU for a
few thousand rows; the jobs rewrite that many rows every run. Works on PostgreSQL and on
SQLite ≥ 3.33 (both name VALUES columns column1, column2…).
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from catalog.counts import catalog_changed

BATCH = 500


def bulk_set(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    same: dict[str, object] | None = None,
    batch_size: int = BATCH,
) -> int:
    """Write `fields` of existing rows; each row is (pk, *values in field order). `same` sets
    fields to one value for every row (sent once, not per row)."""
    if not rows:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), meta.pk
    assert pk is not None
    columns = [pk, *(_concrete(model, name) for name in fields)]
    typed = connection.vendor == "postgresql"  # untyped VALUES parameters would be text there

    def slot(field: Any) -> str:
        return f"CAST(%s AS {field.db_type(connection)})" if typed else "%s"

    prepare = [field.get_db_prep_save for field in columns]
    row_sql = "(" + ", ".join(slot(field) for field in columns) + ")"
    constants = [(_concrete(model, name), value) for name, value in (same or {}).items()]
    assignments = ", ".join(
        [
            f"{quote(field.column or field.name)} = v.column{index}"
            for index, field in enumerate(columns[1:], start=2)
        ]
        + [f"{quote(field.column or field.name)} = {slot(field)}" for field, _ in constants]
    )
    constant_params = [field.get_db_prep_save(value, connection) for field, value in constants]
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = constant_params + [
                prep(value, connection)
                for row in batch
                for prep, value in zip(prepare, row, strict=True)
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v "
                f"WHERE {table}.{quote(pk.column or pk.name)} = v.column1",
                params,
            )
            written += cursor.rowcount
    catalog_changed()  # no signals here: cached list counts learn of the writes this way
    return written


def _concrete(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """A column of the table: a reverse relation or many-to-many cannot be bulk-set."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field

"""Planner statistics after bulk writes: PostgreSQL plans from what ANALYZE last saw.

Autovacuum analyzes a table only after a share of it changed and a while later; until then a
catalog that grew from 0 to 10,000 models by one import is planned as an empty table (sorts
and scans instead of the sort and search indexes). ANALYZE after the import fixes that at once.
"""

from django.db import connection
from django.db.models import Model


def analyze(*models: type[Model]) -> None:
    """ANALYZE these models' tables (and their many-to-many tables) on PostgreSQL; elsewhere
    nothing (SQLite's planner does not need it for these queries)."""
    if connection.vendor != "postgresql":
        return
    tables: list[str] = []
    for model in models:
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            assert through is not None  # resolved once the app registry is ready
            tables.append(through._meta.db_table)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(quote(t) for t in dict.fromkeys(tables))}")

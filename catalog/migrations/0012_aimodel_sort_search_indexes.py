"""PostgreSQL only: an index per list ordering, and trigram indexes for `search`.

Each sort index is on exactly the ORDER BY the lists send (catalog.models.ordering), so a page
is read from the top of an index instead of sorting the catalog; `search` is a case-insensitive
substring match, UPPER(col::text) LIKE UPPER('%…%'), which trigram indexes on the same
expressions answer without reading every row. SQLite cannot index NULLS LAST: it keeps scanning.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from catalog.models.ordering import sort_indexes

SEARCHED = ("name", "slug", "vendor_model_id")


class TrigramOnPostgres(TrigramExtension):
    """Django's operation skips other databases going forward but not back: unapplying it on
    SQLite asked `pg_extension` (the migration tests migrate back past this one)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("catalog", "AIModel")
    for index in sort_indexes():
        schema_editor.add_index(model, index)
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX aimodel_search_{column} ON catalog_aimodel "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("catalog", "AIModel")
    for index in sort_indexes():
        schema_editor.remove_index(model, index)
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS aimodel_search_{column}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_jobkind_ingest_usage")]

    operations = [
        TrigramOnPostgres(),
        migrations.RunPython(add_indexes, drop_indexes, elidable=False),
    ]

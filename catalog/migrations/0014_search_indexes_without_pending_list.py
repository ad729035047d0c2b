"""PostgreSQL only: the search's trigram indexes take new rows at once (`fastupdate = off`).

With GIN's default, new rows wait in a pending list that every search reads through until
(auto)vacuum merges it; after an import of thousands of models, `search` was 4-5× slower
(3.5-5 ms instead of 0.9 at 140,000 models) until autovacuum came by, and how fast the search
was depended on when it did. The catalog is written rarely and read often: each insert now
pays for its own index entries.
"""

from django.db import migrations

SEARCH_INDEXES = ("aimodel_search_name", "aimodel_search_slug", "aimodel_search_vendor_model_id")


def merge_at_once(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in SEARCH_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        # Turning it off keeps what is already pending: merge that now.
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def pend_again(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in SEARCH_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_evaluation_url")]

    operations = [migrations.RunPython(merge_at_once, pend_again, elidable=False)]

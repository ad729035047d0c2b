"""PostgreSQL only: the search's trigram indexes keep a pending list of at most 64 kB.

GIN puts new rows in a pending list that every search reads through until it is merged, which
by default happens when it passes 4 MB or when (auto)vacuum comes by; `ANALYZE` does not merge
it. Right after 100,000 models were inserted, the three-column search took 49.7 ms instead of
0.7; how fast `search` was depended on when autovacuum last ran. At 64 kB (the least allowed),
inserts still go in batches (100,000 rows: 2.2 s, against 1.3 s with the default and 7.2 s
with no pending list at all) and a search reads at most 64 kB more (0.8 ms).
"""

from django.db import migrations

SEARCH_INDEXES = ("aimodel_search_name", "aimodel_search_slug", "aimodel_search_vendor_model_id")


def bound_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in SEARCH_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = 64)")
        # The new limit applies from the next insert on: merge what is pending now.
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def unbound_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in SEARCH_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_evaluation_url")]

    operations = [migrations.RunPython(bound_pending_lists, unbound_pending_lists, elidable=False)]

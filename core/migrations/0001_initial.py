# JobRun moves here from the catalog: the model's state only, its table stays catalog_jobrun.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0014_search_indexes_small_pending_list"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("import_models", "Import models"), ("sync_prices", "Sync prices"), ("check_availability", "Check availability"), ("expire_adoptions", "Expire adoptions"), ("notify_lifecycle", "Deprecation and retirement notices"), ("ingest_usage", "Ingest usage")], max_length=30)),
                        ("started_at", models.DateTimeField()),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("checked", models.PositiveIntegerField(default=0)),
                        ("changed", models.PositiveIntegerField(default=0)),
                        ("flagged", models.PositiveIntegerField(default=0)),
                        ("errors", models.JSONField(blank=True, default=list)),
                        ("vendor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="job_runs", to="catalog.vendor")),
                    ],
                    options={
                        "db_table": "catalog_jobrun",
                        "ordering": ["-started_at", "-id"],
                        "indexes": [models.Index(fields=["kind", "-started_at"], name="jobrun_kind_time_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

# JobRun now belongs to core (same table): price flags point at it there; the catalog forgets it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0014_search_indexes_small_pending_list"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="priceflag",
                    name="job_run",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="price_flags", to="core.jobrun"),
                ),
                migrations.DeleteModel(name="JobRun"),
            ],
            database_operations=[],
        ),
    ]

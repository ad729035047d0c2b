import django.db.models.deletion
from django.db import migrations, models


def link_finished_runs(apps, schema_editor):
    """Runs finished before the link existed: their Evaluation is the one of their suite,
    model and day (the latest such run, when a day had several)."""
    EvalRun = apps.get_model("evaluations", "EvalRun")
    Evaluation = apps.get_model("catalog", "Evaluation")
    runs = EvalRun.objects.filter(status="finished", evaluation=None).exclude(pass_rate=None)
    for run in runs.select_related("suite").order_by("finished_at", "pk").iterator():
        evaluation = Evaluation.objects.filter(
            model_id=run.model_id,
            task=run.suite.slug,
            metric="pass_rate",
            source="modelshelf",
            date=run.finished_at.date(),
        ).first()
        if evaluation is not None:
            EvalRun.objects.filter(pk=run.pk).update(evaluation=evaluation)
            evaluation.url = f"/evals/{run.suite.slug}/#run-{run.pk}"
            evaluation.save(update_fields=["url"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0013_evaluation_url"),
        ("evaluations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="evalrun",
            name="evaluation",
            field=models.ForeignKey(
                blank=True,
                help_text="The pass rate this run recorded, which a request cites as evidence",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="eval_runs",
                to="catalog.evaluation",
            ),
        ),
        migrations.RunPython(link_finished_runs, migrations.RunPython.noop),
    ]

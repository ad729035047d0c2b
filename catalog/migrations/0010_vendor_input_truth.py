"""Flags told apart by the offered value in the model's own unit; availability's fifth state,
`not_monitored`, for models of vendors with neither a model list nor a status page."""

from django.conf import settings
from django.db import migrations, models


def _show(value):
    return "-" if value is None else f"{value.normalize():f}"


def fill_flag_values(apps, schema_editor):
    """Existing flags get the value the sync now keys them on (kept unique per model)."""
    PriceFlag = apps.get_model("catalog", "PriceFlag")
    seen = set()
    for flag in PriceFlag.objects.order_by("-created_at", "-id").iterator():
        if flag.input_price_per_mtok is None and flag.output_price_per_mtok is None:
            value = f"{flag.reason} | {flag.raw_input} | {flag.raw_output}"[:250]
        else:
            inp, out = _show(flag.input_price_per_mtok), _show(flag.output_price_per_mtok)
            value = f"{inp} / {out} {flag.price_unit}"
        if flag.status in ("open", "dismissed"):
            if (flag.model_id, value) in seen:
                value = f"{value[:230]} (#{flag.pk})"
            seen.add((flag.model_id, value))
        flag.value = value
        flag.save(update_fields=["value"])


def mark_not_monitored(apps, schema_editor):
    """`unknown` now means "not checked yet": models nobody can check are not monitored."""
    AIModel = apps.get_model("catalog", "AIModel")
    unmonitored = models.Q(status_page_url="") & (
        models.Q(api_kind="none") | models.Q(api_base_url="")
    )
    AIModel.objects.filter(
        availability_status="unknown",
        vendor__in=apps.get_model("catalog", "Vendor").objects.filter(unmonitored),
    ).update(availability_status="not_monitored")


def unmark_not_monitored(apps, schema_editor):
    AIModel = apps.get_model("catalog", "AIModel")
    AIModel.objects.filter(availability_status="not_monitored").update(
        availability_status="unknown"
    )
    apps.get_model("catalog", "AvailabilityCheck").objects.filter(status="not_monitored").update(
        status="unknown"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_adoption_delisted_notified_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="priceflag",
            name="priceflag_one_per_model_value",
        ),
        migrations.AddField(
            model_name="priceflag",
            name="value",
            field=models.CharField(
                blank=True, help_text="The offered value in the model's own unit", max_length=250
            ),
        ),
        migrations.AlterField(
            model_name="aimodel",
            name="availability_status",
            field=models.CharField(
                choices=[
                    ("up", "Up"),
                    ("degraded", "Degraded"),
                    ("down", "Down"),
                    ("unknown", "Unknown"),
                    ("not_monitored", "Not monitored"),
                ],
                default="unknown",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="availabilitycheck",
            name="status",
            field=models.CharField(
                choices=[
                    ("up", "Up"),
                    ("degraded", "Degraded"),
                    ("down", "Down"),
                    ("unknown", "Unknown"),
                    ("not_monitored", "Not monitored"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="historicalaimodel",
            name="availability_status",
            field=models.CharField(
                choices=[
                    ("up", "Up"),
                    ("degraded", "Degraded"),
                    ("down", "Down"),
                    ("unknown", "Unknown"),
                    ("not_monitored", "Not monitored"),
                ],
                default="unknown",
                max_length=16,
            ),
        ),
        migrations.RunPython(fill_flag_values, migrations.RunPython.noop),
        migrations.RunPython(mark_not_monitored, unmark_not_monitored),
        migrations.AddConstraint(
            model_name="priceflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["open", "dismissed"])),
                fields=("model", "value"),
                name="priceflag_one_per_model_value",
            ),
        ),
    ]

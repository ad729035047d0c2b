"""The specialty taxonomy every catalog starts with."""

from django.db import migrations

SPECIALTIES = [
    ("chat", "Chat", "General conversation and instruction following."),
    ("reasoning", "Reasoning", "Multi-step reasoning, planning and analysis."),
    ("code", "Code", "Writing, reviewing and explaining source code."),
    ("embedding", "Embedding", "Vectors for search, clustering and retrieval."),
    ("rerank", "Rerank", "Reordering retrieved passages by relevance."),
    ("vision", "Vision", "Understanding images and documents."),
    ("audio", "Audio", "Speech to text, text to speech, realtime voice."),
    ("image-generation", "Image generation", "Creating and editing images."),
    ("moderation", "Moderation", "Classifying content against safety policies."),
]


def create(apps, schema_editor):
    Specialty = apps.get_model("catalog", "Specialty")
    for slug, name, description in SPECIALTIES:
        Specialty.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

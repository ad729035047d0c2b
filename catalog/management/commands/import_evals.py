"""`manage.py import_evals FILE`: evaluation evidence from CSV or JSON."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services.evaluations import evaluations_import
from core.errors import InvalidRequest


class Command(BaseCommand):
    help = "Import evaluation scores (columns: model, task, metric, score, source, date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .json file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        fmt = "json" if path.suffix.lower() == ".json" else "csv"
        try:
            result = evaluations_import(text=text, fmt=fmt)
        except InvalidRequest as exc:
            raise CommandError(f"nothing imported:\n{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported evaluations: {result.created} created, {result.updated} updated"
            )
        )

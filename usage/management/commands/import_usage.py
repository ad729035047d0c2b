"""`manage.py import_usage FILE.csv --source NAME`: load another vendor's daily usage export."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from usage.models import UsageSource
from usage.services.csv_import import COLUMNS, usage_import_csv


class Command(BaseCommand):
    help = f"Import daily usage from a CSV with the columns {', '.join(COLUMNS)}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="the usage source the file is from")

    def handle(self, *args: Any, **options: Any) -> None:
        source = UsageSource.objects.filter(name=options["source"]).first()
        if source is None:
            raise CommandError(f"unknown usage source: {options['source']}")
        try:
            with options["file"].open(encoding="utf-8", newline="") as lines:
                result = usage_import_csv(source=source, lines=lines)
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
        for number, reason in result.bad_lines:
            self.stderr.write(f"line {number}: {reason}")
        self.stdout.write(
            f"{result.read} line(s) read, {result.written} row(s) written, "
            f"{len(result.bad_lines)} bad line(s)."
        )
        if result.bad_lines and not result.written:
            raise CommandError("nothing imported")

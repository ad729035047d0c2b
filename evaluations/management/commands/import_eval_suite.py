"""`manage.py import_eval_suite FILE.jsonl`: a suite of test cases, one case a line."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ServiceError
from evaluations.services.suites import suite_import, suite_input_from_jsonl


class Command(BaseCommand):
    help = (
        "Import an evaluation suite from JSONL: one case a line ({messages | prompt, expected, "
        'grader, weight?, tolerance?}); an optional first line {"suite": {slug, name, '
        "specialty, unit, description}}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .jsonl file")
        for name in ("slug", "name", "specialty", "unit", "description"):
            parser.add_argument(f"--{name}", default="", help=f"the suite's {name} (overrides)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        overrides = {
            name: options[name] for name in ("slug", "name", "specialty", "unit", "description")
        }
        try:
            suite = suite_import(data=suite_input_from_jsonl(text, **overrides))
        except ServiceError as exc:
            raise CommandError(f"nothing imported:\n{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Imported suite {suite.slug}: {suite.cases.count()} cases")
        )

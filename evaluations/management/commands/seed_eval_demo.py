"""`manage.py seed_eval_demo`: the demo suites, finished runs and the GPT line (after seed_demo)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluations.services.demo import demo_runs, gpt_history


class Command(BaseCommand):
    help = "Import the demo eval suites, run them on the demo models against a fake vendor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="seed even with DEBUG off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError("seed_eval_demo repoints vendors at a fake: DEBUG must be on")
        history = gpt_history()
        runs = demo_runs()
        self.stdout.write(
            self.style.SUCCESS(f"Eval demo ready: {runs} runs finished, {history} GPT models.")
        )

"""`manage.py seed_demo [--force]`: the demo company, on top of the bundled catalog import."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services.demo import demo_seed


class Command(BaseCommand):
    help = "Import the bundled catalog and add the demo units, users, adoptions and requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="seed even with DEBUG off (never in production)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError(
                "seed_demo creates users with a known password: DEBUG must be on, or pass --force"
            )
        call_command(
            "import_models",
            source="litellm",
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        result = demo_seed()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {result['approved']} approved models."))
        self.stdout.write(
            f"Log in as {', '.join(result['users'])} with password {settings.DEMO_PASSWORD!r}."
        )

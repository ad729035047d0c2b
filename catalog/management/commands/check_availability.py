"""`manage.py check_availability [--vendor SLUG]`: the 5-minute availability check, now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from catalog.management.commands._jobs import vendor_slugs
from catalog.services.availability import availability_check


class Command(BaseCommand):
    help = "Ask each vendor which models it serves and record availability changes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vendor", action="append", help="only this vendor (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = vendor_slugs(options["vendor"])
        with tqdm(
            desc="Checking", unit="model", disable=options["verbosity"] == 0, file=self.stderr
        ) as bar:
            result = availability_check(vendor_slugs=slugs, track=bar.update)
        self.stdout.write(self.style.SUCCESS(f"Availability check finished: {result}"))
        for error in result.errors:
            self.stdout.write(self.style.WARNING(f"  {error.get('vendor')}: {error['error']}"))

"""`manage.py sync_prices [--vendor SLUG]`: the hourly price sync, now, in the foreground."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from catalog.management.commands._jobs import vendor_slugs
from catalog.services.prices import prices_sync


class Command(BaseCommand):
    help = "Fetch each price source once and apply changed prices (junk is flagged, not applied)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vendor", action="append", help="only this vendor (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = vendor_slugs(options["vendor"])
        with tqdm(
            desc="Writing changes",
            unit="model",
            disable=options["verbosity"] == 0,
            file=self.stderr,
        ) as bar:
            result = prices_sync(vendor_slugs=slugs, track=bar.update)
        self.stdout.write(self.style.SUCCESS(f"Price sync finished: {result}"))
        for error in result.errors:
            self.stdout.write(self.style.WARNING(f"  {error.get('source')}: {error['error']}"))

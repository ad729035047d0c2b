"""`manage.py usage_demo --url http://127.0.0.1:8001`: the demo's usage sources at the fake
vendor, then an ingest of everything it serves, so the demo's pages show real figures."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.http import wait_until_answering
from usage.demo import usage_demo_setup
from usage.services.ingest import usage_ingest

WAIT_SECONDS = 20


class Command(BaseCommand):
    help = "Point the demo's usage sources at the fake vendor and ingest its usage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help="the fake vendor's root URL")
        parser.add_argument("--force", action="store_true", help="even with DEBUG off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError("usage_demo rewrites demo data: DEBUG must be on, or pass --force")
        since = usage_demo_setup(url=options["url"])
        self._wait_for(options["url"])
        result = usage_ingest(since=since)
        self.stdout.write(
            f"Demo usage since {since}: {result.checked} rows read, {result.changed} written, "
            f"{result.flagged} problems."
        )

    def _wait_for(self, url: str) -> None:
        """The fake vendor starts alongside this command; give it a moment to listen."""
        if problem := wait_until_answering(
            f"{url.rstrip('/')}/status/demo/api/v2/summary.json", seconds=WAIT_SECONDS
        ):
            raise CommandError(f"the fake vendor at {url}: {problem}")

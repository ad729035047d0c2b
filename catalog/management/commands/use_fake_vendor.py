"""`manage.py use_fake_vendor --url http://127.0.0.1:8001`: point the demo's vendors at the
fake vendor so `make run` works offline. Idempotent; real keys never reach the fake."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.services.fake_vendor_demo import vendors_point_at_fake
from fakevendor import FAKE_KEY_ENV


class Command(BaseCommand):
    help = "Point vendor API, status-page and price-source URLs at a fake vendor on loopback."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help="the fake vendor's root URL")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = vendors_point_at_fake(url=options["url"])
        self.stdout.write(
            f"{changed} vendor(s) now use the fake vendor at {options['url']} "
            f"(key from ${FAKE_KEY_ENV})."
        )

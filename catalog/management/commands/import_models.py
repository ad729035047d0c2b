"""`manage.py import_models --source litellm [--file PATH | --url URL]`."""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.services.catalog_import import models_import_litellm
from catalog.vendors.litellm import CostMapEntry, CostMapError
from core.http import outbound_client

BUNDLED_COST_MAP = Path(__file__).resolve().parents[2] / "data" / "litellm_model_prices.json"


def load_json(*, file: str | None, url: str | None) -> object:
    """The cost map from a file, a URL, or the copy bundled with Modelshelf."""
    try:
        if url:
            with outbound_client(timeout=30) as client:
                response = client.get(url)
            response.raise_for_status()
            return response.json()
        return json.loads(Path(file or BUNDLED_COST_MAP).read_text(encoding="utf-8"))
    except (OSError, httpx.HTTPError) as exc:
        raise CommandError(f"cannot read the cost map: {exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"the cost map is not valid JSON: {exc}") from exc


class Command(BaseCommand):
    help = "Import models, vendors and prices from a price source (LiteLLM's cost map)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=["litellm"], default="litellm")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--file", help="a cost-map JSON file (default: the bundled copy)")
        where.add_argument("--url", help="a cost-map URL")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = load_json(file=options["file"], url=options["url"])
        show = options["verbosity"] > 0

        def track(entries: Iterable[CostMapEntry]) -> Iterable[CostMapEntry]:
            return tqdm(entries, desc="Importing", unit="model", disable=not show, file=self.stderr)  # type: ignore[no-any-return]  # tqdm is untyped

        try:
            summary = models_import_litellm(raw=raw, track=track)
        except CostMapError as exc:
            raise CommandError(f"malformed cost map, nothing imported: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Import finished: {summary}"))
        for reason, count in sorted(summary.skipped.items()):
            self.stdout.write(f"  skipped {count}: {reason}")
        if not summary.changed:
            self.stdout.write("Nothing changed: the catalog already matches the source.")

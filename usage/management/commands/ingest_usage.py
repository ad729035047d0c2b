"""`manage.py ingest_usage [--since DATE] [--source NAME]`: the daily usage ingest, now."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from usage.models import UsageSource
from usage.services.ingest import accounts_count, since_problem, usage_ingest


def iso_day(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be a date (YYYY-MM-DD), got {value!r}") from None
    if problem := since_problem(day):
        raise CommandError(f"--since {problem}, got {value}")
    return day


class Command(BaseCommand):
    help = "Read daily usage from every active usage source (late data replaces earlier reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="first day to read (default: USAGE_LOOKBACK_DAYS ago)")
        parser.add_argument("--source", action="append", help="only this source (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = iso_day(options["since"]) if options["since"] else None
        source_ids = None
        if names := options["source"]:
            found = dict(UsageSource.objects.filter(name__in=names).values_list("name", "pk"))
            if unknown := sorted(set(names) - set(found)):
                raise CommandError(f"unknown usage source: {', '.join(unknown)}")
            source_ids = list(found.values())
        with tqdm(
            total=accounts_count(source_ids),
            desc="Ingesting usage",
            unit="account",
            disable=options["verbosity"] == 0,
            file=self.stderr,
        ) as bar:
            result = usage_ingest(source_ids=source_ids, since=since, track=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Usage ingest finished: {result.checked} rows read, {result.changed} written, "
                f"{result.flagged} problems."
            )
        )
        for error in result.errors[:20]:
            self.stdout.write(self.style.WARNING(f"  {error.get('source')}: {error['error']}"))

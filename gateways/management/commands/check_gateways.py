"""`manage.py check_gateways [--gateway NAME]`: the gateway check, now, with a progress bar."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gateways.choices import FindingStatus
from gateways.models import Gateway, GatewayFinding
from gateways.services.checks import gateways_check, probes_count


class Command(BaseCommand):
    help = "Check that every active gateway serves each unit exactly its allow-list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gateway", action="append", help="only this gateway (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        gateway_ids = None
        if names := options["gateway"]:
            found = dict(Gateway.objects.filter(name__in=names).values_list("name", "pk"))
            if unknown := sorted(set(names) - set(found)):
                raise CommandError(f"unknown gateway: {', '.join(unknown)}")
            gateway_ids = list(found.values())
        with tqdm(
            total=probes_count(gateway_ids),
            desc="Checking gateways",
            unit="unit",
            disable=options["verbosity"] == 0,
            file=self.stderr,
        ) as bar:
            result = gateways_check(gateway_ids=gateway_ids, progress=bar.update)
        still_open = GatewayFinding.objects.filter(status=FindingStatus.OPEN)
        if gateway_ids is not None:
            still_open = still_open.filter(gateway_id__in=gateway_ids)
        self.stdout.write(
            self.style.SUCCESS(
                f"Gateway check finished: {result.checked} units checked, {result.flagged} "
                f"findings opened, {still_open.count()} open in all."
            )
        )
        for finding in still_open.select_related("gateway", "unit")[:20]:
            self.stdout.write(
                self.style.WARNING(f"  {finding.gateway} / {finding.unit}: {finding.detail}")
            )

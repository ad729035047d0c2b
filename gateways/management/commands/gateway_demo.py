"""`manage.py gateway_demo --url http://127.0.0.1:8001`: the demo's gateway at the fake vendor,
with probes for Marketing and Engineering, teams set from their allow-lists, then one team
edited by hand at the gateway (a model Engineering may not use), and a check that finds it.

So a newcomer's first `make run` shows a real finding on /gateways/ and Engineering's page,
and "Apply plan" fixes it the way an infrastructure-as-code user expects.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import BusinessUnit
from catalog.litellm_config import export_names, unit_exports
from core.http import VendorError, wait_until_answering
from gateways.adapter import GatewayAdapter, gateway_client
from gateways.choices import FindingStatus, GatewayKind
from gateways.models import Gateway, GatewayFinding, GatewayProbe
from gateways.services.checks import gateways_check
from gateways.services.plans import gateway_apply

NAME = "Company LiteLLM proxy"
ADMIN_KEY_ENV = "GATEWAY_ADMIN_KEY"
PROBES = {"marketing": "GATEWAY_MARKETING_KEY", "engineering": "GATEWAY_ENGINEERING_KEY"}
LEAKING = "engineering"
WAIT_SECONDS = 20


class Command(BaseCommand):
    help = "Seed the demo gateway at the fake vendor, one unit's team leaking, and check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help="the fake vendor's root URL")
        parser.add_argument("--force", action="store_true", help="even with DEBUG off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError("gateway_demo rewrites demo data: DEBUG must be on, or pass --force")
        units = {u.slug: u for u in BusinessUnit.objects.filter(slug__in=PROBES)}
        if len(units) != len(PROBES):
            raise CommandError("run seed_demo first: the demo units are missing")
        gateway, _ = Gateway.objects.update_or_create(
            name=NAME,
            defaults={
                "kind": GatewayKind.LITELLM,
                "base_url": f"{options['url'].rstrip('/')}/gateway",
                "admin_key_env": ADMIN_KEY_ENV,
                "active": True,
            },
        )
        for slug, key_env in PROBES.items():
            GatewayProbe.objects.update_or_create(
                gateway=gateway,
                unit=units[slug],
                defaults={"key_env": key_env, "team_id": slug, "active": True},
            )
        self._wait_for(gateway.base_url)
        failed = [u for u in gateway_apply(gateway=gateway, user=None) if u.error]
        if failed:
            raise CommandError(f"could not set the demo teams: {failed[0].error}")
        leaked = self._leak(gateway, units)
        gateways_check(gateway_ids=[gateway.pk])
        found = GatewayFinding.objects.filter(gateway=gateway, status=FindingStatus.OPEN)
        self.stdout.write(
            f"Demo gateway {gateway.name}: {LEAKING}'s team also serves “{leaked}”; "
            f"{found.count()} open finding(s) on /gateways/."
        )

    def _leak(self, gateway: Gateway, units: dict[str, BusinessUnit]) -> str:
        """Add to the leaking unit's team, at the gateway, a name another unit may call and
        it may not (the copy-paste slip that happens in a proxy's UI)."""
        exports = unit_exports([u.pk for u in units.values()], timezone.now())
        own = export_names(exports.get(units[LEAKING].pk, []))
        others = set().union(
            *(export_names(rows) for pk, rows in exports.items() if pk != units[LEAKING].pk)
        )
        leaked = min(others - own, default="gpt-4o")
        with gateway_client(1) as client:
            admin = GatewayAdapter(client, base_url=gateway.base_url, api_key_env=ADMIN_KEY_ENV)
            try:
                admin.team_update({"team_id": LEAKING, "models": sorted({*own, leaked})})
            except VendorError as error:
                raise CommandError(
                    f"the fake gateway refused the demo's team edit: {error}"
                ) from None
        return leaked

    def _wait_for(self, base_url: str) -> None:
        """The fake vendor starts alongside this command; give it a moment to listen."""
        if problem := wait_until_answering(f"{base_url}/v1/models", seconds=WAIT_SECONDS):
            raise CommandError(f"the fake gateway at {base_url}: {problem}")

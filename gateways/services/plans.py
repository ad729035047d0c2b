"""Plan and apply for LiteLLM gateways: the difference between each unit's team and the unit's
export, and the `POST /team/update` calls that remove it, each recorded (TeamUpdate).

The way infrastructure-as-code users expect: `plan` changes nothing and says what `apply`
would send; `apply` sends only the non-empty plans, with the admin key, and keeps who asked,
what was sent and what the gateway answered.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from catalog.litellm_config import team_body, unit_exports
from core.errors import InvalidRequest
from core.http import VendorError
from gateways.adapter import GatewayAdapter, gateway_client
from gateways.choices import GatewayKind
from gateways.models import Gateway, GatewayProbe, TeamUpdate

LIMITS = ("tpm_limit", "rpm_limit", "max_budget", "budget_duration")


@dataclass
class TeamPlan:
    """What apply would change in one unit's team: models to add and remove, limits that
    differ ({field: {"from": gateway's, "to": export's}}), or why the team could not be read."""

    business_unit: str
    team_id: str
    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    limits: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str = ""
    body: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def empty(self) -> bool:
        return not (self.add or self.remove or self.limits)


def _check_plannable(gateway: Gateway) -> None:
    if gateway.kind != GatewayKind.LITELLM:
        raise InvalidRequest("Plan and apply speak LiteLLM's team API only.", field="kind")
    if not gateway.admin_key_env:
        raise InvalidRequest("Set the gateway's admin key variable first.", field="admin_key_env")


def _same(ours: Any, theirs: Any) -> bool:
    if ours is None or theirs is None:
        return ours is theirs
    if isinstance(ours, Decimal):
        try:
            return ours == Decimal(str(theirs))
        except ArithmeticError:
            return False
    return bool(ours == theirs)


def gateway_plan(*, gateway: Gateway, now: datetime | None = None) -> list[TeamPlan]:
    """Each active probe with a team: its team as the gateway has it against the unit's export
    (one `GET /team/info` each). A team that cannot be read says why and is not applied."""
    _check_plannable(gateway)
    now = now or timezone.now()
    probes = list(
        GatewayProbe.objects.filter(gateway=gateway, active=True)
        .exclude(team_id="")
        .select_related("unit")
    )
    exports = unit_exports([probe.unit_id for probe in probes], now)
    plans = []
    with gateway_client(1) as client:
        adapter = GatewayAdapter(
            client, base_url=gateway.base_url, api_key_env=gateway.admin_key_env
        )
        for probe in probes:
            want = team_body(
                exports.get(probe.unit_id, []),
                team_id=probe.team_id,
                unit_budget=probe.unit.monthly_budget,
            )
            plan = TeamPlan(business_unit=probe.unit.slug, team_id=probe.team_id, body=want)
            try:
                have = adapter.team_info(probe.team_id)
            except VendorError as error:
                plan.error = str(error)
                plans.append(plan)
                continue
            models = have.get("models")
            theirs = {str(name) for name in models} if isinstance(models, list) else set()
            plan.add = sorted(set(want["models"]) - theirs)
            plan.remove = sorted(theirs - set(want["models"]))
            if want.get("blocked") and not have.get("blocked"):
                plan.limits["blocked"] = {"from": have.get("blocked", False), "to": True}
            for name in LIMITS:
                if not _same(want[name], have.get(name)):
                    ours = want[name]
                    shown = float(ours) if isinstance(ours, Decimal) else ours
                    plan.limits[name] = {"from": have.get(name), "to": shown}
            plans.append(plan)
    return plans


def gateway_apply(*, gateway: Gateway, user: User | None) -> list[TeamUpdate]:
    """Send `POST /team/update` for every non-empty plan, recording each (sent or failed)."""
    if user is not None and not user.is_catalog_admin:
        raise PermissionDenied("Only catalog admins change gateways.")
    plans = [plan for plan in gateway_plan(gateway=gateway) if not plan.error and not plan.empty]
    units = dict(GatewayProbe.objects.filter(gateway=gateway).values_list("unit__slug", "unit_id"))
    sent = []
    with gateway_client(1) as client:
        adapter = GatewayAdapter(
            client, base_url=gateway.base_url, api_key_env=gateway.admin_key_env
        )
        for plan in plans:
            body = {
                name: float(value) if isinstance(value, Decimal) else value
                for name, value in plan.body.items()
            }
            record = TeamUpdate(
                gateway=gateway,
                unit_id=units[plan.business_unit],
                team_id=plan.team_id,
                body=body,
                requested_by=user,
                sent_at=timezone.now(),
            )
            try:
                adapter.team_update(body)
                record.http_status = 200
            except VendorError as error:
                record.http_status, record.error = error.http_status, str(error)[:500]
            sent.append(record)
    return TeamUpdate.objects.bulk_create(sent)

"""The gateway jobs as Celery tasks: thin, ids in. A check does not retry: an unreachable
gateway is itself a finding, recorded at once, and the next check comes in 15 minutes."""

from celery import shared_task

from accounts.models import User
from gateways.models import Gateway
from gateways.services.checks import gateways_check
from gateways.services.plans import gateway_apply


@shared_task
def check_gateways(gateway_ids: list[int] | None = None) -> dict[str, int]:
    """Check every active probe of these gateways (all active gateways when None)."""
    result = gateways_check(gateway_ids=gateway_ids)
    return {"checked": result.checked, "changed": result.changed, "flagged": result.flagged}


@shared_task
def apply_gateway_plan(gateway_id: int, user_id: int | None = None) -> dict[str, int]:
    """Send the gateway's non-empty team plans, recorded as asked by `user_id`."""
    gateway = Gateway.objects.filter(pk=gateway_id).first()
    if gateway is None:  # deleted since it was queued
        return {"sent": 0, "failed": 0}
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    updates = gateway_apply(gateway=gateway, user=user)
    failed = sum(1 for update in updates if update.error)
    return {"sent": len(updates) - failed, "failed": failed}

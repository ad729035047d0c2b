"""Uptime % from the availability ledger, which keeps one row per state change.

A model is available while its last recorded state is up or degraded (it answers, if slowly);
time in the `unknown` state (no check configured or not yet checked) counts neither way.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.choices import AvailabilityStatus
from catalog.models import AvailabilityCheck

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
AVAILABLE = {AvailabilityStatus.UP, AvailabilityStatus.DEGRADED}


def uptime_by_window(
    model_id: int, *, windows: dict[str, timedelta] = WINDOWS, now: datetime | None = None
) -> dict[str, Decimal | None]:
    """Percent of the known time each window was available (None when nothing is known)."""
    now = now or timezone.now()
    start = now - max(windows.values())
    checks = AvailabilityCheck.objects.filter(model_id=model_id)
    changes = list(
        checks.filter(checked_at__gte=start, checked_at__lte=now)
        .order_by("checked_at", "id")
        .values_list("checked_at", "status")
    )
    earlier = checks.filter(checked_at__lt=start).order_by("-checked_at", "-id")
    state_before = earlier.values_list("status", flat=True).first()
    return {
        name: _percent_available(changes, state_before, now - length, now)
        for name, length in windows.items()
    }


def _percent_available(
    changes: list[tuple[datetime, str]], state_before: str | None, start: datetime, end: datetime
) -> Decimal | None:
    state = state_before
    for at, status in changes:
        if at <= start:
            state = status
    cursor, up, known = start, 0.0, 0.0
    for at, status in changes:
        if at <= start:
            continue
        up, known = _add(state, (at - cursor).total_seconds(), up, known)
        cursor, state = at, status
    up, known = _add(state, (end - cursor).total_seconds(), up, known)
    if not known:
        return None
    return (Decimal(up) / Decimal(known) * 100).quantize(Decimal("0.1"))


def _add(state: str | None, seconds: float, up: float, known: float) -> tuple[float, float]:
    if state is None or state == AvailabilityStatus.UNKNOWN:
        return up, known
    return up + (seconds if state in AVAILABLE else 0), known + seconds

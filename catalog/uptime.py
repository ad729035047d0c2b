"""Uptime from the availability ledger, which keeps one row per state change: the one place
uptime is computed (model page and API).

A state holds from its row until the next change (the last one until now). Time with no known
state (before the first row, `unknown` or `not_monitored`) counts neither way; `degraded` counts
as up: the model answered.
"""

from datetime import datetime, timedelta

from catalog.choices import AvailabilityStatus
from catalog.models import AvailabilityCheck

WINDOWS = {
    "last_24h": timedelta(hours=24),
    "last_7d": timedelta(days=7),
    "last_30d": timedelta(days=30),
}
ANSWERING = {AvailabilityStatus.UP, AvailabilityStatus.DEGRADED}
UNCHECKED = {AvailabilityStatus.UNKNOWN, AvailabilityStatus.NOT_MONITORED}


def uptime_percentages(model_id: int, *, now: datetime) -> dict[str, float | None]:
    """Percent of each window (24 h, 7 d, 30 d) the model was up; None when nothing is known."""
    start = now - max(WINDOWS.values())
    checks = AvailabilityCheck.objects.filter(model_id=model_id).order_by("checked_at", "id")
    timeline = list(
        checks.filter(checked_at__gte=start, checked_at__lte=now).values_list(
            "checked_at", "status"
        )
    )
    before = (
        checks.filter(checked_at__lt=start)
        .order_by("-checked_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    if before is not None:
        timeline.insert(0, (start, before))
    return {name: _percent_up(timeline, now - span, now) for name, span in WINDOWS.items()}


def _percent_up(
    timeline: list[tuple[datetime, str]], start: datetime, end: datetime
) -> float | None:
    known = up = timedelta(0)
    for index, (since, status) in enumerate(timeline):
        until = timeline[index + 1][0] if index + 1 < len(timeline) else end
        span = min(until, end) - max(since, start)
        if span <= timedelta(0) or status in UNCHECKED:
            continue
        known += span
        if status in ANSWERING:
            up += span
    if not known:
        return None
    return round(100 * up / known, 2)

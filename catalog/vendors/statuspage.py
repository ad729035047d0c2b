"""Atlassian Statuspage `{status_page_url}/api/v2/summary.json` (incident.io serves the same
shape, with `full_outage`): the vendor-wide word on whether its API is up."""

from typing import Any

from catalog.choices import AvailabilityStatus
from core.http import VendorAdapter, shape_error

COMPONENT_STATUS = {
    "operational": AvailabilityStatus.UP,
    "degraded_performance": AvailabilityStatus.DEGRADED,
    "partial_outage": AvailabilityStatus.DEGRADED,
    "under_maintenance": AvailabilityStatus.DEGRADED,
    "major_outage": AvailabilityStatus.DOWN,
    "full_outage": AvailabilityStatus.DOWN,
}
INDICATOR_STATUS = {
    "none": AvailabilityStatus.UP,
    "minor": AvailabilityStatus.DEGRADED,
    "maintenance": AvailabilityStatus.DEGRADED,
    "major": AvailabilityStatus.DOWN,
    "critical": AvailabilityStatus.DOWN,
}
UP = AvailabilityStatus.UP
SEVERITY: list[str] = [AvailabilityStatus.UP, AvailabilityStatus.DEGRADED, AvailabilityStatus.DOWN]


def worst(*statuses: str) -> str:
    return max(statuses, key=SEVERITY.index)


def parse_summary(body: Any, url: str) -> tuple[str, str]:
    """(up | degraded | down, the page's own description): the worst component decides;
    a status word we do not know counts as no word."""
    if not isinstance(body, dict):
        raise shape_error(url, "not an object")
    raw_status = body.get("status")
    indicator = raw_status if isinstance(raw_status, dict) else {}
    description = indicator.get("description")
    word = indicator.get("indicator")
    statuses = [INDICATOR_STATUS.get(word, UP) if isinstance(word, str) else UP]
    components = body.get("components")
    for component in components if isinstance(components, list) else []:
        status = component.get("status") if isinstance(component, dict) else None
        if isinstance(status, str) and status in COMPONENT_STATUS:
            statuses.append(COMPONENT_STATUS[status])
    return worst(*statuses), description[:200] if isinstance(description, str) else ""


class StatuspageAdapter(VendorAdapter):
    def vendor_status(self) -> tuple[str, str]:
        """The vendor-wide status from its summary; see parse_summary."""
        url = f"{self.base_url}/api/v2/summary.json"
        body, _ = self.get_json(url)
        return parse_summary(body, url)

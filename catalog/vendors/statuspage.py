"""Atlassian Statuspage `{status_page_url}/api/v2/summary.json` (incident.io serves the same
shape, with `full_outage`): the vendor-wide word on whether its API is up."""

from catalog.choices import AvailabilityStatus
from catalog.vendors.base import VendorAdapter, shape_error

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
SEVERITY = [AvailabilityStatus.UP, AvailabilityStatus.DEGRADED, AvailabilityStatus.DOWN]


def worst(*statuses: str) -> str:
    return max(statuses, key=SEVERITY.index)


class StatuspageAdapter(VendorAdapter):
    def vendor_status(self) -> tuple[str, str]:
        """(up | degraded | down, the page's own description): the worst component decides."""
        url = f"{self.base_url}/api/v2/summary.json"
        body, _ = self.get_json(url)
        if not isinstance(body, dict):
            raise shape_error(url, "not an object")
        indicator = body.get("status") if isinstance(body.get("status"), dict) else {}
        description = str(indicator.get("description", ""))[:200]
        statuses = [INDICATOR_STATUS.get(str(indicator.get("indicator")), AvailabilityStatus.UP)]
        components = body.get("components")
        for component in components if isinstance(components, list) else []:
            if isinstance(component, dict):
                status = COMPONENT_STATUS.get(str(component.get("status")))
                if status:
                    statuses.append(status)
        return worst(*statuses), description

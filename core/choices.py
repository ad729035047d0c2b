"""Enumerated values of the plumbing: the kinds of background job that leave a JobRun."""

from django.db import models


class JobKind(models.TextChoices):
    IMPORT_MODELS = "import_models", "Import models"
    SYNC_PRICES = "sync_prices", "Sync prices"
    CHECK_AVAILABILITY = "check_availability", "Check availability"
    EXPIRE_ADOPTIONS = "expire_adoptions", "Expire adoptions"
    NOTIFY_LIFECYCLE = "notify_lifecycle", "Deprecation and retirement notices"
    INGEST_USAGE = "ingest_usage", "Ingest usage"
    CHECK_GATEWAYS = "check_gateways", "Check gateways"


class FindingStatus(models.TextChoices):
    """Where a finding (usage or gateway) stands: open → acknowledged → resolved."""

    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"

"""The usage domain: sources, their accounts per unit, daily records and findings."""

from usage.models.records import UsageFinding, UsageRecord
from usage.models.sources import UsageAccount, UsageSource

__all__ = ["UsageAccount", "UsageFinding", "UsageRecord", "UsageSource"]

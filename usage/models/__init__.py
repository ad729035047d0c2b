"""The usage domain: sources, their accounts per unit, daily records and findings."""

from usage.models.records import UsageFinding, UsageMonth, UsageRecord
from usage.models.sources import UsageAccount, UsageSource

__all__ = ["UsageAccount", "UsageFinding", "UsageMonth", "UsageRecord", "UsageSource"]

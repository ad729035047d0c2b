"""Every enumerated value of the usage domain, in one place."""

from django.db import models

from core.choices import FindingStatus as FindingStatus  # shared by every kind of finding


class SourceKind(models.TextChoices):
    LITELLM = "litellm", "LiteLLM proxy"
    OPENAI = "openai", "OpenAI organization"
    ANTHROPIC = "anthropic", "Anthropic organization"
    FILE = "file", "CSV import"


class FindingKind(models.TextChoices):
    UNAPPROVED_USE = "unapproved_use", "Unapproved use"
    BILL_MISMATCH = "bill_mismatch", "Bill mismatch"
    OVER_FORECAST = "over_forecast", "Over forecast"
    OVER_BUDGET = "over_budget", "Over budget"

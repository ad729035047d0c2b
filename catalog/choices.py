"""Every enumerated value of the catalog domain, in one place."""

from django.db import models


class ApiKind(models.TextChoices):
    OPENAI = "openai", "OpenAI-compatible"
    ANTHROPIC = "anthropic", "Anthropic"
    OPENROUTER = "openrouter", "OpenRouter"
    NONE = "none", "No model list"


class PriceSource(models.TextChoices):
    OPENROUTER = "openrouter", "OpenRouter /models"
    LITELLM = "litellm", "LiteLLM cost map"
    MANUAL = "manual", "Manual"


class SizeClass(models.TextChoices):
    """Ordered smallest first; thresholds in parameters."""

    SMALL = "small", "Small (< 15B)"
    MEDIUM = "medium", "Medium (15–100B)"
    LARGE = "large", "Large (100–500B)"
    FRONTIER = "frontier", "Frontier (≥ 500B)"

    @classmethod
    def for_parameters(cls, parameters: int) -> "SizeClass":
        if parameters < 15_000_000_000:
            return cls.SMALL
        if parameters < 100_000_000_000:
            return cls.MEDIUM
        if parameters < 500_000_000_000:
            return cls.LARGE
        return cls.FRONTIER

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values.index(value) if value in cls.values else len(cls.values)


class PriceUnit(models.TextChoices):
    PER_MTOK = "per_mtok", "per 1M tokens"
    PER_QUERY = "per_query", "per query"
    PER_IMAGE = "per_image", "per image"
    PER_SECOND = "per_second", "per second"
    PER_CHARACTER = "per_character", "per character"
    PER_PAGE = "per_page", "per page"


class Deployment(models.TextChoices):
    VENDOR_API = "vendor_api", "Vendor API"
    CLOUD = "cloud", "Cloud provider"
    SELF_HOSTED = "self_hosted", "Self-hosted"


class ModelStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    RESTRICTED = "restricted", "Restricted"
    UNDER_REVIEW = "under_review", "Under review"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


class DataClassification(models.TextChoices):
    """Ordered least sensitive first: a model cleared for a level is cleared for those below."""

    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"

    @classmethod
    def at_least(cls, level: str) -> list[str]:
        """The levels a model must be cleared for to handle data of `level`."""
        return cls.values[cls.values.index(level) :]

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values.index(value)


class AvailabilityStatus(models.TextChoices):
    UP = "up", "Up"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"
    UNKNOWN = "unknown", "Unknown"  # not checked yet
    NOT_MONITORED = "not_monitored", "Not monitored"  # no model list and no status page to ask


class AdoptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    FILE = "file", "File"
    EMBEDDING = "embedding", "Embedding"
    # LiteLLM's cost map names code as an output of code models (codex): kept, not folded into text.
    CODE = "code", "Code"


class PriceFlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class LifecycleDate(models.TextChoices):
    """The dates of a model's end of life that units are warned ahead of."""

    DEPRECATION = "deprecation", "Deprecation"
    RETIREMENT = "retirement", "Retirement"

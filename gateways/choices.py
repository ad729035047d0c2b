"""Every enumerated value of the gateways domain, in one place."""

from django.db import models

from core.choices import FindingStatus as FindingStatus  # shared by every kind of finding


class GatewayKind(models.TextChoices):
    LITELLM = "litellm", "LiteLLM proxy"
    OPENAI_COMPATIBLE = "openai_compatible", "OpenAI-compatible gateway"


class FindingKind(models.TextChoices):
    LEAK = "gateway_leak", "Gateway leak"
    DRIFT = "gateway_drift", "Gateway drift"
    UNREACHABLE = "gateway_unreachable", "Gateway unreachable"

"""One connector per usage source kind, all on catalog's vendor adapter base."""

from usage.choices import SourceKind
from usage.connectors.anthropic import AnthropicUsageConnector
from usage.connectors.base import UsageConnector
from usage.connectors.litellm import LiteLLMUsageConnector
from usage.connectors.openai import OpenAIUsageConnector

CONNECTORS: dict[str, type[UsageConnector]] = {
    SourceKind.LITELLM: LiteLLMUsageConnector,
    SourceKind.OPENAI: OpenAIUsageConnector,
    SourceKind.ANTHROPIC: AnthropicUsageConnector,
}

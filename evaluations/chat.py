"""Chat completions through a model's vendor: OpenAI format (also OpenRouter, vLLM, Ollama and a
LiteLLM proxy) or Anthropic's messages format, on catalog's vendor client conventions.

Replies are untrusted: a junk completion is a permanent VendorError for that one case, and junk
token counts become unknown (None), never 0.
"""

import random
import time
from typing import Any, NamedTuple

import httpx

from catalog.choices import ApiKind
from catalog.models import AIModel
from catalog.vendors.anthropic import AnthropicAdapter
from catalog.vendors.openai import OpenAIAdapter
from core.http import VendorAdapter, VendorError, shape_error

MAX_TOKENS = 1024
MAX_TOKEN_COUNT = 10_000_000


class Completion(NamedTuple):
    text: str
    input_tokens: int | None
    output_tokens: int | None
    latency_ms: int
    attempts: int


class RetryLater(Exception):
    """A transient failure whose retry falls past the task's deadline: leave the case open."""


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_TOKEN_COUNT else None


class ChatClient:
    """Asks one model; shared across threads (httpx.Client is thread-safe)."""

    adapter: VendorAdapter

    def __init__(
        self,
        client: httpx.Client,
        model: AIModel,
        *,
        max_retries: int,
        retry_after_max: float,
    ) -> None:
        vendor = model.vendor
        if not vendor.api_base_url:
            raise VendorError(f"{vendor.name} has no API base URL to call", permanent=True)
        self.anthropic = vendor.api_kind == ApiKind.ANTHROPIC
        adapter_class = AnthropicAdapter if self.anthropic else OpenAIAdapter
        self.adapter = adapter_class(
            client, base_url=vendor.api_base_url, api_key_env=vendor.api_key_env
        )
        self.model_id = model.vendor_model_id
        self.max_retries = max_retries
        self.retry_after_max = retry_after_max

    def ask(self, messages: list[dict[str, str]], *, deadline: float | None = None) -> Completion:
        """One case's reply at temperature 0, retrying 429/5xx/timeouts a bounded number of
        times, never sooner than the vendor's Retry-After (clamped). A retry that would start
        after `deadline` (time.monotonic) raises RetryLater instead: the next task asks."""
        attempt = 0
        while True:
            attempt += 1
            try:
                text, tokens_in, tokens_out, latency = self._ask_once(messages)
                return Completion(text, tokens_in, tokens_out, latency, attempt)
            except VendorError as exc:
                exc.attempts = attempt  # type: ignore[attr-defined]  # read by the run service
                if exc.permanent or attempt > self.max_retries:
                    raise
                backoff = 0.25 * 2 ** (attempt - 1) * (1 + random.random())
                wait = exc.retry_after if exc.retry_after is not None else backoff
                wait = min(max(wait, 0.0), self.retry_after_max)
                if deadline is not None and time.monotonic() + wait > deadline:
                    raise RetryLater(str(exc)) from exc
                time.sleep(wait)

    def _ask_once(self, messages: list[dict[str, str]]) -> tuple[str, int | None, int | None, int]:
        if self.anthropic:
            system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
            body: dict[str, Any] = {
                "model": self.model_id,
                "max_tokens": MAX_TOKENS,
                "temperature": 0,
                "messages": [m for m in messages if m["role"] != "system"],
            }
            if system:
                body["system"] = system
            url = f"{self.adapter.base_url}/messages"
        else:
            body = {"model": self.model_id, "temperature": 0, "messages": messages}
            url = f"{self.adapter.base_url}/chat/completions"
        answer, latency = self.adapter.request_json("POST", url, body=body)
        if not isinstance(answer, dict):
            raise shape_error(url, "not a JSON object")
        raw_usage = answer.get("usage")
        usage: dict[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
        if self.anthropic:
            text = _anthropic_text(answer)
            tokens = (_count(usage.get("input_tokens")), _count(usage.get("output_tokens")))
        else:
            text = _openai_text(answer)
            tokens = (_count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens")))
        if text is None:
            raise VendorError(f"junk completion from {url}", permanent=True, latency_ms=latency)
        return text, tokens[0], tokens[1], latency


def _openai_text(answer: dict[str, Any]) -> str | None:
    choices = answer.get("choices")
    if not (isinstance(choices, list) and choices and isinstance(choices[0], dict)):
        return None
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else None


def _anthropic_text(answer: dict[str, Any]) -> str | None:
    blocks = answer.get("content")
    if not isinstance(blocks, list):
        return None
    texts = [b.get("text") for b in blocks if isinstance(b, dict) and b.get("type") == "text"]
    strings = [t for t in texts if isinstance(t, str)]
    if not texts or len(strings) != len(texts):
        return None
    return "".join(strings)

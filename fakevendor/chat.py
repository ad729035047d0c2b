"""The fake vendor's chat completions (OpenAI and Anthropic formats) for the demo eval suites.

Deterministic: a model answers a case right when the case ranks, in an order hashed from the
model id, within the model's share of the suite. The share grows with size; a specialist on its
specialty answers like a model one size class up; latency grows with size too. The answer key
is read from the suites' JSONL files the server was given (`FakeVendor(suites=…)`).
A `[[fault:<kind>]]` marker in a prompt makes that one call fail that way.
"""

import functools
import hashlib
import json
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from fakevendor.faults import RETRY_AFTER_SECONDS, TIMEOUT_SLEEP_SECONDS

if TYPE_CHECKING:
    from fakevendor.server import Handler

CHAT_PATH = re.compile(r"^/(?P<provider>[\w.-]+)(?:/api)?/v1/(?:chat/completions|messages)$")
MARKER = re.compile(r"\[\[fault:(?P<kind>[\w-]+)\]\]")
CLASSES = ("small", "medium", "large", "frontier")
RIGHT_SHARE = {"small": 0.55, "medium": 0.72, "large": 0.84, "frontier": 0.92}
LATENCY_MS = {"small": 25, "medium": 50, "large": 100, "frontier": 200}
# (substring of the vendor's model id, size class, specialty); first match wins.
PROFILES = [
    ("ministral-3b", "small", ""),
    ("ministral-8b", "small", ""),
    ("gpt-4o-mini", "small", ""),
    ("gpt-4.1-nano", "small", ""),
    ("gpt-4.1-mini", "medium", ""),
    ("r7b", "small", ""),
    ("codestral", "medium", "code"),
    ("devstral", "medium", "code"),
    ("coder", "large", "code"),
    ("mistral-small", "medium", ""),
    ("mistral-large", "frontier", ""),
    ("haiku", "medium", ""),
    ("sonnet", "large", ""),
    ("opus", "frontier", ""),
    ("deepseek", "frontier", ""),
    ("gpt-4", "frontier", ""),
    ("o3", "frontier", ""),
]
BILLIONS = re.compile(r"(\d+(?:\.\d+)?)b\b")


class Case(NamedTuple):
    suite: str
    specialty: str
    rank_pool: tuple[str, ...]  # every case key of the suite
    reference: str
    wrong: str


def case_key(prompt: str) -> str:
    return hashlib.sha256(prompt.encode()).hexdigest()[:16]


@functools.cache
def answer_key(suites: Path | None) -> dict[str, Case]:
    """The last user turn of every case in the `suites` folder → its suite, reference and
    wrong answers (none without a folder: every answer is then a wrong one)."""
    cases: dict[str, Case] = {}
    for path in sorted(suites.glob("*.jsonl")) if suites else []:
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        header = lines[0].get("suite", {})
        rows = [row for row in lines if "suite" not in row]
        keys = tuple(case_key(_last_user(row["messages"])) for row in rows)
        for key, row in zip(keys, rows, strict=True):
            cases[key] = Case(
                header.get("slug", path.stem),
                header.get("specialty", ""),
                keys,
                str(row["reference"]),
                str(row.get("wrong", "I am not sure.")),
            )
    return cases


def _last_user(messages: list[dict[str, Any]]) -> str:
    users = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    return users[-1] if users and isinstance(users[-1], str) else ""


def profile(model_id: str) -> tuple[str, str]:
    """The size class and specialty the fake gives a model id."""
    lowered = model_id.lower()
    for needle, size, specialty in PROFILES:
        if needle in lowered:
            return size, specialty
    if match := BILLIONS.search(lowered):
        billions = float(match.group(1))
        size = "small" if billions < 15 else "medium" if billions < 100 else "large"
        return size, "code" if "code" in lowered else ""
    return "medium", ""


def is_right(model_id: str, key: str, case: Case) -> bool:
    size, specialty = profile(model_id)
    if specialty and specialty == case.specialty:
        size = CLASSES[min(CLASSES.index(size) + 1, len(CLASSES) - 1)]
    order = sorted(
        case.rank_pool, key=lambda k: hashlib.sha256(f"{model_id}:{k}".encode()).digest()
    )
    return order.index(key) < round(RIGHT_SHARE[size] * len(case.rank_pool))


def reply(model_id: str, messages: list[dict[str, Any]], suites: Path | None) -> str:
    key = case_key(_last_user(messages))
    case = answer_key(suites).get(key)
    if case is None:
        return "I am not sure."
    return case.reference if is_right(model_id, key, case) else case.wrong


def handle(handler: "Handler", path: str, fault: str) -> None:
    """Answer POST /<provider>/v1/chat/completions or /anthropic/v1/messages."""
    match = CHAT_PATH.match(path)
    if match is None:
        return handler.send_json({"error": {"message": f"no route {path}"}}, 404)
    anthropic = path.endswith("/messages")
    if anthropic and not handler.headers.get("x-api-key"):
        return handler.send_json({"error": {"message": "missing x-api-key"}}, 401)
    if not anthropic and not handler.headers.get("authorization", "").startswith("Bearer "):
        return handler.send_json({"error": {"message": "missing API key"}}, 401)
    try:
        length = int(handler.headers.get("content-length") or 0)
        body = json.loads(handler.rfile.read(length))
        model_id, messages = str(body["model"]), list(body["messages"])
        # Anthropic takes the system prompt beside the messages, and bills its tokens as input.
        system = body.get("system") if anthropic else None
        if system:
            messages = [{"role": "system", "content": system}, *messages]
    except (ValueError, KeyError, TypeError, AttributeError):
        return handler.send_json({"error": {"message": "bad request"}}, 400)
    server, provider = handler.server, match["provider"]
    with server.lock:  # tests check that no case is asked twice, and how many at once
        server.hits[f"chat:{model_id}:{case_key(_last_user(messages))}"] += 1
        server.in_flight[provider] += 1
        server.peak_in_flight[provider] = max(
            server.peak_in_flight[provider], server.in_flight[provider]
        )
    answered = threading.Event()

    def done() -> None:  # before the reply goes out: the client may ask again once it has it
        if not answered.is_set():
            answered.set()
            with server.lock:
                server.in_flight[provider] -= 1

    handler.before_reply = done
    try:
        _answer(handler, model_id, messages, fault, anthropic=anthropic)
    finally:
        done()
        handler.before_reply = None


def _answer(
    handler: "Handler", model_id: str, messages: list[Any], fault: str, *, anthropic: bool
) -> None:
    server = handler.server
    if marker := MARKER.search(_last_user(messages)):
        fault = fault or marker["kind"]
    size, _ = profile(model_id)
    time.sleep((server.latency_ms or LATENCY_MS[size]) / 1000)
    if fault in {"401", "403", "404", "500", "503"}:
        return handler.send_json({"error": {"message": f"fault {fault}"}}, int(fault))
    if fault == "429":
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return handler.send_json({"error": {"message": "rate limited"}}, 429, headers)
    if fault == "timeout":
        server.stopping.wait(TIMEOUT_SLEEP_SECONDS)
        return handler.send_json({"error": "too late"}, 504)
    if fault == "malformed":
        return handler.send_body(b'{"choices": [{"message": ', 200)
    if fault == "junk":
        return handler.send_json({"choices": "all of them", "usage": {"prompt_tokens": "many"}})
    text = reply(model_id, messages, server.suites)
    if fault == "nul":  # a model that answers with a NUL byte, as some do
        text = f"{text}\x00"
    tokens_in = sum(len(str(m.get("content", ""))) for m in messages) // 4 + 1
    tokens_out = len(text) // 4 + 1
    if anthropic:
        return handler.send_json(
            {
                "id": "msg_fake",
                "type": "message",
                "role": "assistant",
                "model": model_id,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
            }
        )
    return handler.send_json(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": model_id,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": tokens_in,
                "completion_tokens": tokens_out,
                "total_tokens": tokens_in + tokens_out,
            },
        }
    )

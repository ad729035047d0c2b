"""The fake vendor: a threaded HTTP server on loopback speaking every vendor format we read.

Routes (each may be prefixed with `/_fault/<kind>[:<n>]` to misbehave, for the first n calls
only when `:n` is given):
  /<provider>/v1/models                 OpenAI-format list of that LiteLLM provider's models
  /anthropic/v1/models                  Anthropic-format, paginated (limit, after_id)
  /openrouter/api/v1/models             OpenRouter list, USD-per-token price strings
  /openrouter/api/v1/models/<id>/endpoints
  /litellm/model_prices.json            the bundled LiteLLM cost map (with --price-drift)
  /status/<name>/api/v2/summary.json    Atlassian Statuspage summary
  POST /<provider>/v1/chat/completions, /anthropic/v1/messages   the eval suites (chat.py)
  the five usage endpoints of LiteLLM, OpenAI and Anthropic (see usage.py)
  /gateway/…                            a LiteLLM-like gateway with per-key lists (gateway.py)
Fault kinds: 401 403 404 429 (Retry-After) 500 503, timeout, malformed (broken JSON), junk
(junk prices), empty (a list with no models), and for status pages degraded_performance,
partial_outage, major_outage, full_outage (incident.io's word).
`.answer(path, body, status, headers)` makes one path serve a given answer (tests serve
generated hostile JSON this way).
"""

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from fakevendor import chat, data, gateway, usage
from fakevendor.faults import RETRY_AFTER_SECONDS, TIMEOUT_SLEEP_SECONDS

FAULT = re.compile(r"^/_fault/(?P<kind>[\w-]+)(?::(?P<times>\d+))?(?P<rest>/.*)$")
STATUS_FAULTS = {"degraded_performance", "partial_outage", "major_outage", "full_outage"}


class FakeVendor(ThreadingHTTPServer):
    """Start with `.start()` (background thread) or `.serve_forever()`; `.url` is its root."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 512

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int = 0,
        error_rate: float = 0.0,
        price_drift: float = 0.0,
        seed: int | None = None,
        cost_map: dict[str, Any] | None = None,
        suites: Path | None = None,
    ) -> None:
        super().__init__((host, port), Handler)
        self.latency_ms = latency_ms
        self.suites = suites  # eval suites (JSONL) whose answer key the chat APIs know
        self.error_rate = error_rate
        self.seed = seed
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.hits: Counter[str] = Counter()
        # Chat calls being answered right now, and the most at once, per provider path.
        self.in_flight: Counter[str] = Counter()
        self.peak_in_flight: Counter[str] = Counter()
        self.answers: dict[str, tuple[bytes, int, dict[str, str]]] = {}
        self.set_cost_map(data.load_cost_map() if cost_map is None else cost_map, price_drift)
        self._thread: threading.Thread | None = None
        self.usage_plan = usage.demo_plan()  # tests swap in their own
        self.gateway = gateway.GatewayState()  # teams and keys of the fake gateway

    def set_cost_map(self, cost_map: dict[str, Any], price_drift: float = 0.0) -> None:
        """Serve another cost map from now on (tests change prices between syncs this way)."""
        served = data.drifted(cost_map, share=price_drift, seed=self.seed)
        openrouter = data.openrouter_models(served)
        self.cost_map = served
        self.cost_map_body = json.dumps(served).encode()
        self.openrouter = {m["id"]: m for m in openrouter}
        self.openrouter_body = json.dumps({"data": openrouter}).encode()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"  # type: ignore[str-bytes-safe]  # bytes only for AF_UNIX

    def start(self) -> "FakeVendor":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()

    def answer(
        self, path: str, body: bytes, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Serve exactly this for `path` (no query string) until told otherwise."""
        self.answers[path] = (body, status, headers or {})

    def fail_now(self) -> bool:
        if not self.error_rate:
            return False
        with self.lock:
            return self.rng.random() < self.error_rate


class Handler(BaseHTTPRequestHandler):
    server: FakeVendor
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    before_reply: Callable[[], None] | None = None  # chat.py counts calls in flight with it

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        if path in self.server.answers:
            return self.send_body(*self.server.answers[path])
        fault = ""
        if match := FAULT.match(path):
            path = match["rest"]
            key = f"{match['kind']}:{match['times']}:{path}"
            with self.server.lock:
                self.server.hits[key] += 1
                hits = self.server.hits[key]
            if match["times"] is None or hits <= int(match["times"]):
                fault = match["kind"]
        if self.server.latency_ms:
            time.sleep(self.server.latency_ms / 1000)
        if fault in {"401", "403", "404", "500", "503"}:
            return self.send_json({"error": {"message": f"fault {fault}"}}, int(fault))
        if fault == "429":
            return self.send_json(
                {"error": {"message": "rate limited"}},
                429,
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if fault == "timeout":
            self.server.stopping.wait(TIMEOUT_SLEEP_SECONDS)
            return self.send_json({"error": "too late"}, 504)
        if self.server.fail_now():
            return self.send_json({"error": {"message": "random failure"}}, 500)
        if fault == "malformed":
            return self.send_body(b'{"data": [{"id": "half-a-json', 200)
        self.route(path, query, fault)

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        """Chat completions for the eval suites (fakevendor/chat.py) and the gateway's calls."""

        path, fault = unquote(urlsplit(self.path).path), ""
        if match := FAULT.match(path):
            path, key = match["rest"], f"{match['kind']}:{match['times']}:POST{match['rest']}"
            with self.server.lock:
                self.server.hits[key] += 1
                hits = self.server.hits[key]
            if match["times"] is None or hits <= int(match["times"]):
                fault = match["kind"]
        if gateway.handles([s for s in path.split("/") if s]):
            return gateway.answer_post(self, path, fault)
        chat.handle(self, path, fault)

    def route(self, path: str, query: dict[str, list[str]], fault: str) -> None:
        segments = [s for s in path.split("/") if s]
        server = self.server
        if gateway.handles(segments):
            return gateway.answer_get(self, segments, query, fault)
        if usage.handles(segments):
            args = (server.usage_plan, server.cost_map, segments, query, self.headers, fault)
            return self.send_json(*usage.answer(*args))
        if path == "/litellm/model_prices.json":
            if fault == "junk":
                return self.send_json(data.with_junk(server.cost_map))
            return self.send_body(server.cost_map_body)
        if segments[:1] == ["status"] and segments[2:] == ["api", "v2", "summary.json"]:
            status = fault if fault in STATUS_FAULTS else "operational"
            return self.send_json(data.statuspage_summary(segments[1], status))
        if segments[:4] == ["openrouter", "api", "v1", "models"]:
            if len(segments) == 4:
                if fault == "junk":
                    junk = data.openrouter_with_junk(list(server.openrouter.values()))
                    return self.send_json({"data": junk})
                if fault == "empty":
                    return self.send_json({"data": []})
                return self.send_body(server.openrouter_body)
            if segments[-1] == "endpoints":
                model = server.openrouter.get("/".join(segments[4:-1]))
                if model is None:
                    return self.send_json({"error": {"message": "model not found"}}, 404)
                endpoints = data.openrouter_endpoints(model, seed=server.seed)
                if fault == "empty":
                    endpoints["data"]["endpoints"] = []
                return self.send_json(endpoints)
        if len(segments) == 3 and segments[1:] == ["v1", "models"]:
            provider = segments[0]
            ids = [] if fault == "empty" else data.provider_ids(server.cost_map, provider)
            if provider == "anthropic":
                if not (self.headers.get("x-api-key") and self.headers.get("anthropic-version")):
                    return self.send_json({"error": {"message": "missing x-api-key"}}, 401)
                limit = int(query.get("limit", ["20"])[0])
                after = query.get("after_id", [None])[0]
                return self.send_json(data.anthropic_page(ids, limit=limit, after_id=after))
            if not self.headers.get("authorization", "").startswith("Bearer "):
                return self.send_json({"error": {"message": "missing API key"}}, 401)
            if not ids and fault != "empty":
                return self.send_json({"error": {"message": "unknown provider"}}, 404)
            return self.send_json(data.openai_list(ids, provider))
        self.send_json({"error": {"message": f"no route {path}"}}, 404)

    def send_json(
        self, body: object, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.send_body(json.dumps(body).encode(), status, headers)

    def send_body(
        self, body: bytes, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        if self.before_reply is not None:
            self.before_reply()
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to tell it

"""A listener that records every request it receives (the attacker's side of the trust
boundary's tests), and a redirector that sends every request on to another URL."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Listener:
    url: str
    seen: list[Seen] = field(default_factory=list)
    # What it answers: a status, headers and a body (no Content-Length: read until close).
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    body: bytes = b"{}"
    redirect_to: str = ""  # when set: a 307 to this root + the request's path
    redirects: dict[str, str] = field(default_factory=dict)  # path -> a 307's Location
    echo: bool = False  # answer with the request's own headers, in every field a reader reads

    def all_text(self) -> str:
        """Everything received, to grep for a key."""
        return "\n".join(f"{s.method} {s.path} {s.headers}" for s in self.seen)


@contextmanager
def listening(host: str = "127.0.0.2") -> Iterator[Listener]:
    """A server on host (127.0.0.2 by default: loopback, but not the test suite's allowed
    127.0.0.1) that records what reaches it."""
    listener = Listener(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection closes

        def _answer(self) -> None:
            listener.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
            location = listener.redirects.get(self.path)
            if listener.redirect_to:
                location = f"{listener.redirect_to}{self.path}"
            if location:
                self.send_response(307)
                self.send_header("Location", location)
                self.end_headers()
                return
            body = listener.body
            if listener.echo:
                headers = dict(self.headers.items())
                text = " ".join(headers.values())
                item = {"id": text, "name": headers, "model": text, "team_id": text}
                body = json.dumps(
                    {"data": [item], "error": {"message": text}, "detail": text, text: item,
                     "results": [item], "choices": [{"message": {"content": text}}]}
                ).encode()  # fmt: skip
            self.send_response(listener.status)
            for name, value in listener.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    listener.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def redirecting_to(target: str, host: str = "127.0.0.1") -> Iterator[Listener]:
    """A server on host that answers every request with a 307 to target + the same path."""
    with listening(host) as redirector:
        redirector.redirect_to = target
        yield redirector

"""Fixtures and helpers for the vendor-job tests: the fake vendor on loopback, a small catalog
imported from the bundled cost map and pointed at it, and a real Celery worker process."""

import copy
import functools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings

from catalog.services.catalog_import import models_import_litellm
from catalog.services.fake_vendor_demo import vendors_point_at_fake
from fakevendor import FAKE_KEY_ENV, data
from fakevendor.server import FakeVendor
from modelshelf.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
COSTS = ("input_cost_per_token", "output_cost_per_token")


@functools.cache
def _bundled() -> dict[str, Any]:
    return data.load_cost_map()


def small_cost_map(per_provider: int = 20) -> dict[str, Any]:
    """The first chat models of OpenAI and Anthropic in the bundled map, priced per token."""
    full = _bundled()
    chosen: dict[str, Any] = {}
    for provider in ("openai", "anthropic"):
        keys = [
            k
            for k in sorted(full)
            if isinstance(full[k], dict)
            and full[k].get("litellm_provider") == provider
            and full[k].get("mode") == "chat"
            and all(full[k].get(c) for c in COSTS)
        ]
        chosen.update({k: copy.deepcopy(full[k]) for k in keys[:per_provider]})
    return chosen


def repriced(cost_map: dict[str, Any], keys: list[str], factor: float) -> dict[str, Any]:
    """A copy where these models' per-token prices are multiplied by `factor`."""
    result = copy.deepcopy(cost_map)
    for key in keys:
        for cost in COSTS:
            result[key][cost] = float(f"{result[key][cost] * factor:.6g}")
    return result


@pytest.fixture
def fake_vendor() -> Iterator[FakeVendor]:
    server = FakeVendor(cost_map=small_cost_map(), seed=7).start()
    yield server
    server.stop()


@pytest.fixture
def catalog_on_fake(fake_vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch) -> FakeVendor:
    """The small map imported (as the demo does) and every vendor pointed at the fake."""
    models_import_litellm(raw=fake_vendor.cost_map)
    vendors_point_at_fake(url=fake_vendor.url)
    monkeypatch.setenv(FAKE_KEY_ENV, "test-key")
    return fake_vendor


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
ON_REDIS = BROKER_URL.startswith("redis://")
ON_RABBITMQ = BROKER_URL.startswith("amqp://")

requires_real_servers = pytest.mark.skipif(
    not (ON_REDIS or ON_RABBITMQ) or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a real Celery worker needs PostgreSQL (DATABASE_URL) and Redis or RabbitMQ "
    "(CELERY_BROKER_URL); the embedded SQLite + in-memory broker run cannot share a queue with "
    "another process",
)
requires_redis_broker = pytest.mark.skipif(
    not ON_REDIS, reason="crashes a private redis-server: a drill of Redis's own persistence"
)


class Worker:
    """A `celery -A modelshelf worker` subprocess on the test database and the real broker."""

    VISIBILITY_TIMEOUT = 20  # s; task time limits follow (soft 10 s, hard 15 s)

    def __init__(self, tmp_path: Path, extra_env: dict[str, str]) -> None:
        url = urlsplit(os.environ["DATABASE_URL"])
        test_db = settings.DATABASES["default"]["NAME"]
        self.env = {
            **os.environ,
            "DATABASE_URL": urlunsplit(url._replace(path=f"/{test_db}")),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": str(self.VISIBILITY_TIMEOUT),
            "VENDOR_TIMEOUT_SECONDS": "2",
            "DEBUG": "1",
            "MODELSHELF_VAR_DIR": str(tmp_path / "var"),
            FAKE_KEY_ENV: "test-key",
            **extra_env,
        }
        self.log = tmp_path / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        name = f"jobs-test-{uuid.uuid4().hex[:8]}@%h"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "modelshelf", "worker", "-n", name,
                 "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_for(
            lambda: self.log.read_text(errors="replace").count(" ready.") >= self.starts,
            timeout=30,
            what=f"the Celery worker to start (log: {self.log})",
        )

    def kill9(self) -> None:
        """SIGKILL the whole worker (main process and pool children) at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """No graceful shutdown: the queue is purged after each test anyway."""
        if self.process and self.process.poll() is None:
            self.kill9()


class PrivateRedis:
    """A redis-server of the test's own on a free port, persisted as production should run a
    broker (append-only file, fsync on every write), so it can be crashed and restarted."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path / "redis"
        self.dir.mkdir()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.dir), "--save", "", "--appendonly", "yes",
             "--appendfsync", "always"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _answers(client), timeout=10, what=f"redis-server on {self.port}")
        return self

    def crash(self) -> None:
        """SIGKILL: no shutdown save, only what the append-only file already holds survives."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.crash()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _forget_queued_work() -> None:
    """Earlier tests' messages (queued retries, a killed worker's unacked task) must not run
    against this test's data."""
    celery_app.control.purge()
    if ON_REDIS:  # RabbitMQ requeues a dead consumer's unacked messages itself
        with celery_app.connection_for_write() as conn:
            conn.default_channel.client.delete("unacked", "unacked_index")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start a real worker: `worker()` or `worker(PRICE_SYNC_BATCH_SIZE="50")`. The test
    process sends to the broker instead of running tasks inline while it lives."""
    started: list[Worker] = []
    _forget_queued_work()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False

    def start(**extra_env: str) -> Worker:
        process = Worker(tmp_path, extra_env)
        process.start()
        started.append(process)
        return process

    yield start
    celery_app.conf.task_always_eager = eager
    for process in started:
        process.stop()
    _forget_queued_work()

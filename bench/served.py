"""Benchmarks over real HTTP: gunicorn servers on loopback, sequential timings, wrk load.

Both sides of every ratio are served the same way (gunicorn, 2 sync workers) and sampled in
the same rounds, so bursts of load from other processes on a shared machine hit them alike.
Throughput comes from wrk at 16 connections (`make bench` installs it when missing); without
wrk, a small load generator of 4 processes × 4 connections stands in (it spends CPU the
servers would otherwise get, so its figures are lower than wrk's; the line says which was
used).
"""

import gc
import http.client
import multiprocessing
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.__main__ import ROOT, Timing

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CONNECTIONS = 16


@dataclass(frozen=True)
class Target:
    """One request: where, with which headers, and the status it must answer."""

    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def get(self) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", self.path, headers=self.headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != self.status:
            raise AssertionError(
                f"{self.url}: {response.status}, wanted {self.status}: {body[:300]!r}"
            )
        return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(app: str, env: dict[str, str], *, ready_path: str = "/") -> Iterator[int]:
    """Serve the WSGI `app` with 2 sync workers on a free loopback port; yields the port."""
    port = free_port()
    log = ROOT / "var" / f"bench-gunicorn-{port}.log"
    log.parent.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [GUNICORN, app, "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--access-logfile", "/dev/null", "--error-logfile", str(log)],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        for _ in range(100):
            try:
                Target(port, ready_path).get()
                break
            except (OSError, AssertionError):
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn {app} did not start: see {log}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def sequential(targets: list[Target], samples: int) -> list[Timing]:
    """p50/p95 of each target, one request at a time, each round taking every target once in
    a shuffled order: bursts of load hit all alike, and no target always follows the same
    one (on two cores, which server ran last moves the next request's time by more than the
    differences measured)."""
    for target in targets:
        for _ in range(3):
            target.get()  # warm-up: connections, caches, imports
    times: list[list[float]] = [[] for _ in targets]
    order = list(range(len(targets)))
    shuffle = random.Random(len(targets) * samples).shuffle  # the same order on every run
    for _ in range(samples):
        shuffle(order)
        for index in order:
            start = time.perf_counter()
            targets[index].get()
            times[index].append((time.perf_counter() - start) * 1000)
    timings = []
    for column in times:
        column.sort()
        timings.append(Timing(statistics.median(column), column[int(0.95 * (len(column) - 1))]))
    return timings


def throughput(target: Target, seconds: int = 5) -> tuple[float, str]:
    """Requests/s at 16 connections, and the tool's name; fails on any unwanted status."""
    if shutil.which("wrk"):
        headers = [arg for k, v in target.headers.items() for arg in ("-H", f"{k}: {v}")]
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", *headers, target.url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if "Non-2xx" in out:
            raise AssertionError(f"{target.url}: wrk saw errors\n{out}")
        rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
        assert rate, out
        return float(rate.group(1)), "wrk"
    with multiprocessing.Pool(4) as pool:
        counts = pool.starmap(_hammer, [(target, seconds)] * 4)
    return sum(counts) / seconds, "python"


def _hammer(target: Target, seconds: int) -> int:
    """One load process: 4 threads, each a connection sending requests back to back."""
    deadline = time.monotonic() + seconds

    def loop() -> int:
        done = 0
        while time.monotonic() < deadline:
            target.get()
            done += 1
        return done

    with ThreadPoolExecutor(CONNECTIONS // 4) as threads:
        return sum(threads.map(lambda _: loop(), range(CONNECTIONS // 4)))


def paced(loads: list[tuple[list[Target], float]], seconds: float = 10) -> list[Timing]:
    """p50/p95 of each load, all sent at once, each at its own steady rate (requests/s), its
    targets taken in turn. An open loop: a latency runs from when its request was due, so a
    server that falls behind shows it rather than slowing the senders down."""
    due = sorted(
        (k / rate, index, targets[k % len(targets)])
        for index, (targets, rate) in enumerate(loads)
        for k in range(int(rate * seconds))
    )
    latencies: list[list[float]] = [[] for _ in loads]
    start = time.perf_counter() + 0.2
    queue = iter(due)
    lock = threading.Lock()

    def sender() -> None:
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            offset, index, target = item
            if (wait := start + offset - time.perf_counter()) > 0:
                time.sleep(wait)
            target.get()
            latencies[index].append((time.perf_counter() - start - offset) * 1000)

    # The senders must not stall: a collection of the bench's own heap (100,000 seeded models'
    # worth) would hold every thread at once and read as the servers' latency.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        with ThreadPoolExecutor(32) as threads:
            for future in [threads.submit(sender) for _ in range(32)]:
                future.result()
    finally:
        gc.enable()
        gc.unfreeze()
    timings = []
    for column in latencies:
        column.sort()
        timings.append(Timing(statistics.median(column), column[int(0.95 * (len(column) - 1))]))
    return timings

"""Run every benchmark module (or those named on the command line) against the configured DB."""

import importlib
import os
import pkgutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float

    def __str__(self) -> str:
        return f"p50 {self.p50_ms:8.2f} ms   p95 {self.p95_ms:8.2f} ms"


def measure(call: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> Timing:
    """p50/p95 wall time of `call`, after a few warm-up calls."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return Timing(statistics.median(samples), samples[int(0.95 * (len(samples) - 1))])


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modelshelf.settings")
    os.environ.setdefault("DEBUG", "1")
    # The fake vendors the benches start listen on loopback, which the outbound policy refuses
    # unless listed (as `make run` and the tests list theirs).
    os.environ.setdefault("OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # Settings load with the dev defaults (DEBUG=1), but the code runs as in production: with
    # DEBUG on, Django would log and re-quote every query, taxing whoever runs more of them.
    setup_test_environment(debug=False)
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules([str(ROOT / "bench")]) if m.name.startswith("bench_")
    )
    from django.db.utils import OperationalError

    try:
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            doc = module.__doc__.strip().splitlines()[0] if module.__doc__ else ""
            print(f"== {name}: {doc}")
            module.run()
    except OperationalError as exc:
        print(f"bench: the database does not answer: {exc}", file=sys.stderr)
        print("Start PostgreSQL on 127.0.0.1:5432 or set DATABASE_URL.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

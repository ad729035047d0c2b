"""`manage.py fake_vendor --port N`: serve every vendor format offline, from the bundled data."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fakevendor.server import FakeVendor


class Command(BaseCommand):
    help = "Serve OpenAI/Anthropic/OpenRouter model lists, a LiteLLM cost map and status pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--latency-ms", type=int, default=0, help="delay of every answer")
        parser.add_argument("--error-rate", type=float, default=0.0, help="share of HTTP 500s")
        parser.add_argument(
            "--price-drift", type=float, default=0.0, help="share of models whose price changed"
        )
        parser.add_argument("--seed", type=int, default=None, help="same seed, same answers")
        parser.add_argument(
            "--suites", type=Path, default=None, help="folder of eval suites (JSONL) to answer"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("error_rate", "price_drift"):
            if not 0 <= options[name] <= 1:
                raise CommandError(f"--{name.replace('_', '-')} must be between 0 and 1")
        server = FakeVendor(
            host=options["host"],
            port=options["port"],
            latency_ms=max(0, options["latency_ms"]),
            error_rate=options["error_rate"],
            price_drift=options["price_drift"],
            seed=options["seed"],
            suites=options["suites"],
        )
        self.stdout.write(f"Fake vendor serving on {server.url} (Ctrl-C stops it)")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

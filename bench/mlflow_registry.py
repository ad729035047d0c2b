"""MLflow's model registry serving the same catalog, for the API bench's comparison (issue 29).

MLflow is what many companies already run to register models, so "how much faster than the
registry we have" is a question people ask. It runs in its own virtualenv under var/ (installed
on first use from `bench/requirements-mlflow.txt`, as `make bench` installs wrk), as its docs
deploy it: `mlflow server` on PostgreSQL, its default server (uvicorn) with 2 workers, on a
database of its own in the same cluster. Each catalog model becomes a registered model named by
its slug, with its name as description and vendor, specialties, prices, context window and
status as tags: what a catalog would keep in a registry.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.db import connection

from bench.__main__ import ROOT
from bench.served import Target, free_port

VENV = ROOT / "var" / "bench-mlflow"
REQUIREMENTS = Path(__file__).with_name("requirements-mlflow.txt")
SEARCH = "/api/2.0/mlflow/registered-models/search"
TAGS = ("vendor", "specialties", "input_price_per_mtok", "output_price_per_mtok", "context_window")


def installed() -> Path | None:
    """The `mlflow` command of the bench's own virtualenv, installed if missing; None when it
    cannot be installed (no package index)."""
    mlflow = VENV / "bin" / "mlflow"
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == REQUIREMENTS.read_text():
        return mlflow
    try:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"  mlflow: could not install ({exc})")
        return None
    stamp.write_text(REQUIREMENTS.read_text())
    return mlflow


@contextmanager
def registry(mlflow: Path) -> Iterator[tuple[int, str]]:
    """An empty MLflow registry on a fresh database beside the bench's; yields its port and
    its database's name."""
    db = connection.settings_dict
    name = f"{db['NAME']}_mlflow"
    admin = _dsn("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    log = ROOT / "var" / f"bench-mlflow-{port}.log"
    store = _dsn(name).replace("postgresql://", "postgresql+psycopg://", 1)
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(mlflow), "server", "--backend-store-uri", store]
            + ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            cwd=VENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MLFLOW_LOGGING_LEVEL": "WARNING"},
        )
    try:
        _wait(Target(port, f"{SEARCH}?max_results=1"), server, log)
        yield port, name
    finally:
        server.terminate()
        server.wait(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_catalog(database: str) -> int:
    """Copy every catalog model into the registry's database (its server started: the tables
    exist); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT m.slug, m.name, v.slug,
                      coalesce((SELECT string_agg(s.slug, ',' ORDER BY s.slug)
                                FROM catalog_aimodel_specialties ms
                                JOIN catalog_specialty s ON s.id = ms.specialty_id
                                WHERE ms.aimodel_id = m.id), ''),
                      m.input_price_per_mtok::text, m.output_price_per_mtok::text,
                      m.context_window::text
               FROM catalog_aimodel m JOIN catalog_vendor v ON v.id = m.vendor_id"""
        )
        models = cursor.fetchall()
    now = int(time.time() * 1000)
    with psycopg.connect(_dsn(database)) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "COPY registered_models (name, creation_time, last_updated_time, description) "
            "FROM STDIN"
        ) as copy:
            for slug, name, *_ in models:
                copy.write_row((slug, now, now, name))
        with cursor.copy("COPY registered_model_tags (key, value, name) FROM STDIN") as copy:
            for slug, _name, *tags in models:
                for key, value in zip(TAGS, tags, strict=True):
                    if value is not None:
                        copy.write_row((key, value, slug))
        cursor.execute("ANALYZE registered_models")
        cursor.execute("ANALYZE registered_model_tags")
    return len(models)


def _dsn(name: str) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def _wait(target: Target, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until the registry answers (its first start migrates its schema: about half a minute)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"mlflow server exited: see {log}")
        try:
            target.get()
            return
        except (OSError, AssertionError):
            time.sleep(0.5)
    raise RuntimeError(f"mlflow server did not start: see {log}")

"""A populated catalog survives scripts/backup.sh dump → restore into a new database intact."""

import os
import subprocess
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from catalog.models import AIModel, PriceObservation

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="pg_dump needs PostgreSQL (CI sets DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


TABLES = [
    "catalog_aimodel",
    "catalog_priceobservation",
    "catalog_vendor",
    "catalog_historicalaimodel",
]


def _url(database: str) -> str:
    parts = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parts._replace(path=f"/{database}"))


def _counts(cursor) -> dict[str, int]:
    tables = [
        "catalog_aimodel",
        "catalog_priceobservation",
        "catalog_vendor",
        "catalog_historicalaimodel",
    ]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        counts[table] = cursor.fetchone()[0]
    return counts


def test_dump_and_restore_keep_every_row(tmp_path):
    call_command("import_models", stdout=StringIO(), stderr=StringIO())
    assert AIModel.objects.count() > 4500 and PriceObservation.objects.exists()
    source = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        before = _counts(cursor)
    dump = tmp_path / "modelshelf.dump"
    env = {**os.environ, "DATABASE_URL": _url(source)}
    subprocess.run([ROOT / "scripts/backup.sh", "dump", dump], env=env, check=True)

    restored = f"{source}_restore"
    admin = psycopg.connect(_url("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
    admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        env["DATABASE_URL"] = _url(restored)
        subprocess.run([ROOT / "scripts/backup.sh", "restore", dump], env=env, check=True)
        with psycopg.connect(_url(restored)) as copy, copy.cursor() as cursor:
            assert _counts(cursor) == before
            cursor.execute("SELECT sum(input_price_per_mtok) FROM catalog_aimodel")
            total = cursor.fetchone()[0]
        assert total == sum(m.input_price_per_mtok or 0 for m in AIModel.objects.all())
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.close()

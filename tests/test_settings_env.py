import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from modelshelf.env import env_bool, env_int, env_list


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False


def test_env_bool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_env_int_fails_loudly_on_bad_or_small_values(monkeypatch):
    monkeypatch.setenv("DAYS", "ten")
    with pytest.raises(ImproperlyConfigured, match="DAYS"):
        env_int("DAYS", 1)
    monkeypatch.setenv("DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("DAYS", 5, minimum=1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, b.example ,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_cache_keys_carry_the_configured_prefix_on_either_backend():
    read = "import modelshelf.settings as s; print(s.CACHES['default']['KEY_PREFIX'])"
    for redis_url in ("redis://127.0.0.1:6379/9", ""):
        env = {**os.environ, "DEBUG": "1", "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "blue"}
        result = subprocess.run(
            [sys.executable, "-c", read], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.stdout.strip() == "blue", result.stderr

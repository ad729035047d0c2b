"""The Redis cache keeps one client per connection pool (issue 14: ~0.15 ms per cache call)."""

import os

import pytest
from django.core.cache import cache

from modelshelf.cache import RedisCacheClient

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis")


def test_every_call_reuses_one_client_and_the_cache_still_works():
    backend = cache._cache
    assert isinstance(backend, RedisCacheClient)
    assert backend.get_client(write=True) is backend.get_client(write=True)
    cache.set("one-client-test", {"a": 1}, 30)
    assert cache.get("one-client-test") == {"a": 1}
    assert cache.get_many(["one-client-test", "missing"]) == {"one-client-test": {"a": 1}}
    assert cache.incr(cache.add("n-test", 1, 30) and "n-test") == 2
    cache.delete_many(["one-client-test", "n-test"])
    assert cache.get("one-client-test") is None

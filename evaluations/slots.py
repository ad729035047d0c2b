"""Calls in flight to one vendor, bounded across every worker process that runs evaluations.

With Redis (REDIS_URL, else a Redis broker) the bound is shared: each call holds a lease, a
member of a sorted set scored by the Redis clock time it lapses. A process renews its own
leases while it lives, so a killed worker's slots come back within one lease time instead of
being lost. Without Redis (the embedded default broker) the bound is per process, as a lone
worker needs: two such workers would each send up to the limit.

No library fitted: redis-py's Lock is a mutex, and the list-of-tokens semaphores on PyPI lose a
token for good when its holder dies.
"""

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Protocol

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

KEY = "modelshelf:eval-slots:{vendor}"
WAKE = "modelshelf:eval-slots:{vendor}:wake"
# Wait this long at most for a release notice before trying again (a lapsed lease of a dead
# worker frees a slot without any notice).
POLL_SECONDS = 0.1
UNAVAILABLE_PAUSE_SECONDS = 1.0

# KEYS: leases, wake list. ARGV: limit, lease ms, token. 1 when the lease was taken.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
# KEYS: leases. ARGV: lease ms, tokens... How many of the tokens were still held.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = 0
for i = 2, #ARGV do
  held = held + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return held
"""
# KEYS: leases, wake list. ARGV: limit, lease ms, token. One waiter wakes per release.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[3])
redis.call('LPUSH', KEYS[2], 1)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[1]) - 1)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""


class SlotsUnavailable(Exception):
    """Redis could not be asked for a slot: leave the case for a later task."""


class Slots(Protocol):
    limit: int

    def hold(self) -> contextlib.AbstractContextManager[None]: ...


class LocalSlots:
    """The bound within this process only (no Redis to share it through)."""

    shared = False

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphore = threading.BoundedSemaphore(limit)

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._semaphore:
            yield


class SharedSlots:
    """The bound across processes: at most `limit` leases on one Redis key at any moment."""

    shared = True

    def __init__(self, client: redis.Redis, vendor: str, limit: int, lease_seconds: float):
        self.limit = limit
        self.client = client
        self.keys = [KEY.format(vendor=vendor), WAKE.format(vendor=vendor)]
        self.lease_ms = max(1000, int(lease_seconds * 1000))
        # Threads of this process queue here first, so only `limit` of them ever ask Redis.
        self._local = threading.BoundedSemaphore(limit)
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._held: set[str] = set()
        self._held_lock = threading.Lock()
        self._renewer: threading.Thread | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._local:
            token = self._take()
            try:
                yield
            finally:
                self._give_back(token)

    def _take(self) -> str:
        token = uuid.uuid4().hex
        args: list[int | str] = [self.limit, self.lease_ms, token]
        try:
            while not self._acquire(keys=self.keys, args=args):
                self.client.blpop([self.keys[1]], timeout=POLL_SECONDS)
        except redis.RedisError as exc:
            time.sleep(UNAVAILABLE_PAUSE_SECONDS)  # the task retries: not in a tight loop
            raise SlotsUnavailable(f"no slot from Redis: {exc}") from exc
        with self._held_lock:
            self._held.add(token)
            if self._renewer is None:
                self._renewer = threading.Thread(
                    target=self._renew_forever, name="eval-slot-leases", daemon=True
                )
                self._renewer.start()
        return token

    def _give_back(self, token: str) -> None:
        with self._held_lock:
            self._held.discard(token)
        try:
            self._release(keys=self.keys, args=[self.limit, self.lease_ms, token])
        except redis.RedisError:
            logger.warning("could not release an eval slot; its lease lapses on its own")

    def _renew_forever(self) -> None:
        """Keep this process's leases alive; they lapse once it stops (dies)."""
        while True:
            time.sleep(self.lease_ms / 3000)
            with self._held_lock:
                tokens = list(self._held)
            if not tokens:
                continue
            try:
                held = self._renew(keys=self.keys[:1], args=[self.lease_ms, *tokens])
            except redis.RedisError:
                logger.warning("could not renew eval slot leases", exc_info=True)
                continue
            if held < len(tokens):
                logger.warning(
                    "%d eval slot lease(s) lapsed while held (a stall longer than %d ms)",
                    len(tokens) - held,
                    self.lease_ms,
                )


_slots: dict[tuple[int, str, int], Slots] = {}
_slots_lock = threading.Lock()


def slots_redis_url() -> str:
    """The Redis every worker shares: the cache's, else the broker's; "" when there is none."""
    if settings.REDIS_URL:
        return str(settings.REDIS_URL)
    broker = str(settings.CELERY_BROKER_URL)
    return broker if broker.startswith(("redis://", "rediss://")) else ""


def vendor_slots(vendor_slug: str) -> Slots:
    """The slots of one vendor for this process (shared by every run in it and, with Redis,
    by every worker)."""
    limit = settings.EVAL_CONCURRENCY_PER_VENDOR
    key = (os.getpid(), vendor_slug, limit)  # a forked child must not reuse the parent's socket
    with _slots_lock:
        if key not in _slots:
            url = slots_redis_url()
            if url:
                client = redis.Redis.from_url(url)
                lease = settings.EVAL_SLOT_LEASE_SECONDS
                _slots[key] = SharedSlots(client, vendor_slug, limit, lease)
            else:
                logger.warning(
                    "no Redis: at most %d eval calls per vendor in flight per process, not "
                    "across workers",
                    limit,
                )
                _slots[key] = LocalSlots(limit)
        return _slots[key]

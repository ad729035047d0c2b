"""The model list's JSON answers, kept whole while the catalog's generation holds.

Every employee reads the same catalog: a page of the list is the same bytes for all of them
until a write moves the catalog's generation (`catalog.counts`), whoever asks. So each process
keeps the bytes it last sent for a URL (and the media type asked for, and today's date, which
the lifecycle filter reads) under the generation the page was read at. A call that finds them,
after its authentication and throttle like every call, costs one cache read and no query: on
2 cores that is most of the list's throughput (issue 29).

Only what `compiled_pages` may keep is kept: a page whose statement carries a moment (the
in-force rule of `business_unit`) means another answer a moment later. A generation is read
before the page it vouches for, so a write committed in between leaves the answer under the
older generation, and the next call reads afresh. Answers older than `MAX_AGE` are read again
too, for a write nothing announced (raw SQL by hand).
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from rest_framework.request import Request

from catalog.counts import current_generation

KEPT_BYTES = 32 * 1024 * 1024  # per process; the least recently used answer goes first
MAX_AGE = 60.0  # seconds

Key = tuple[date, str, str]


@dataclass(frozen=True)
class Answer:
    body: bytes
    generation: int
    kept_at: float


_kept: OrderedDict[Key, Answer] = OrderedDict()
_size = 0
_lock = threading.Lock()


def key_for(request: Request) -> Key:
    """What the bytes depend on besides the catalog: the full URL (its links are absolute),
    the media type asked for (`indent=`), and today."""
    media_type = request.accepted_media_type or ""
    return timezone.localdate(), request.build_absolute_uri(), media_type


def find(key: Key) -> bytes | None:
    """The kept answer for `key`, if the catalog is still at its generation."""
    with _lock:
        answer = _kept.get(key)
        if answer is not None:
            _kept.move_to_end(key)
    if answer is None:
        return None
    if time.monotonic() - answer.kept_at > MAX_AGE or current_generation() != answer.generation:
        _drop(key, answer)
        return None
    return answer.body


def keep(key: Key, body: bytes, generation: int) -> None:
    """Keep `body`, read at catalog `generation`, as the answer for `key`."""
    global _size
    answer = Answer(body, generation, time.monotonic())
    with _lock:
        if (old := _kept.pop(key, None)) is not None:
            _size -= len(old.body)
        _kept[key] = answer
        _size += len(body)
        while _size > KEPT_BYTES and _kept:
            _size -= len(_kept.popitem(last=False)[1].body)


def _drop(key: Key, answer: Answer) -> None:
    global _size
    with _lock:
        if _kept.get(key) is answer:
            del _kept[key]
            _size -= len(answer.body)


def forget() -> None:
    """Drop every kept answer (tests)."""
    global _size
    with _lock:
        _kept.clear()
        _size = 0

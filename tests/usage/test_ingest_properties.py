"""Generated usage answers (hypothesis) through each connector and the record writer: a day
re-read with any mix of clean items and junk ones (sizes up to 10^40, NaN, strings, nested
junk) never raises, writes every clean item as sent, leaves the stored row of every junk item
as it was (never deleted), and records a problem per junk item (issue 25, item 8).

`make test` runs the short profile; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs many more.
"""

import json
import os
from datetime import date

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from usage.choices import SourceKind
from usage.connectors import CONNECTORS
from usage.models import UsageAccount, UsageRecord, UsageSource
from usage.services.matching import ModelMatcher
from usage.services.records import records_write

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 12)
ACCOUNT = {SourceKind.OPENAI: "p1", SourceKind.ANTHROPIC: "w1", SourceKind.LITELLM: "t1"}
KEYS = 4  # reported models m0..m3 on the one account-day
HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile(
    "usage-ingest-fast", max_examples=25, deadline=None, database=None, suppress_health_check=HEALTH
)
settings.register_profile(
    "usage-ingest-fuzz",
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=HEALTH,
)
PROFILE = settings.get_profile(
    "usage-ingest-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "usage-ingest-fast"
)

JUNK = st.one_of(
    st.sampled_from([10**40, 2**64, -5, "lots", "1e1000002", "NaN", 1.5, float("inf"), True]),
    st.floats(allow_nan=True).filter(lambda f: not (f == f and f.is_integer() and 0 <= f)),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.text(max_size=5).filter(lambda s: not s.strip().isdigit()),
)
COUNTS = st.tuples(
    st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**6), st.integers(0, 10**6)
)  # input (uncached), output, cache reads, cache writes
# Per key: absent from the new answer, clean with new counts, or junk in one of its fields.
ITEM = st.one_of(
    st.just(("absent", None, None, None)),
    st.tuples(st.just("clean"), COUNTS, st.none(), st.none()),
    st.tuples(st.just("junk"), COUNTS, st.integers(0, 3), JUNK),
)


def item(kind: str, counts: tuple[int, int, int, int], bad: tuple[int, object] | None) -> dict:
    """One model's day in the source's own words; `bad` replaces one count with junk."""
    uncached, output, read, write = counts
    fields: dict[str, object]
    if kind == SourceKind.OPENAI:
        fields = {"input_tokens": uncached + read, "input_cached_tokens": read}
        fields |= {"output_tokens": output, "num_model_requests": write}
    elif kind == SourceKind.ANTHROPIC:
        fields = {"uncached_input_tokens": uncached, "cache_read_input_tokens": read}
        fields |= {"output_tokens": output, "cache_creation": {"ephemeral_5m_input_tokens": write}}
    else:
        fields = {"prompt_tokens": uncached + read + write, "cache_read_input_tokens": read}
        fields |= {"completion_tokens": output, "cache_creation_input_tokens": write}
    if bad is not None:
        name = sorted(fields)[bad[0] % len(fields)]
        fields[name] = bad[1] if not isinstance(fields[name], dict) else {"x": bad[1]}
    return fields


def answer(kind: str, items: dict[str, dict]) -> object:
    account = ACCOUNT[kind]
    if kind == SourceKind.LITELLM:
        models = {name: {"metrics": fields} for name, fields in items.items()}
        result = {"date": DAY.isoformat(), "breakdown": {"models": models}}
        return {"results": [result], "metadata": {"has_more": False}}
    owner = "project_id" if kind == SourceKind.OPENAI else "workspace_id"
    results = [{owner: account, "model": name, **fields} for name, fields in items.items()]
    start = 1791763200 if kind == SourceKind.OPENAI else "2026-10-12T00:00:00Z"
    moment = "start_time" if kind == SourceKind.OPENAI else "starting_at"
    return {"data": [{moment: start, "results": results}], "has_more": False}


def ingest(source, account, kind: str, items: dict[str, dict]):
    body = json.dumps(answer(kind, items)).encode()
    usage_path = {"openai": "completions", "anthropic": "messages", "litellm": "activity"}[kind]

    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(usage_path):
            return httpx.Response(200, content=body)
        return httpx.Response(200, json={"data": [], "has_more": False})

    with httpx.Client(transport=httpx.MockTransport(respond)) as client:
        connector = CONNECTORS[kind](client, base_url="https://vendor.test/v1")
        fetched = connector.fetch(accounts=[ACCOUNT[kind]], since=DAY, until=DAY)
    written = records_write(
        source=source,
        accounts={ACCOUNT[kind]: account},
        rows=fetched.rows,
        costs=fetched.costs,
        since=DAY,
        until=DAY,
        matcher=ModelMatcher(kind),
        doubtful=fetched.doubtful,
    )
    return fetched.problems + written.problems


def stored() -> dict[str, tuple[int, int, int, int]]:
    return {
        r.vendor_model_id: (
            r.input_tokens,
            r.output_tokens,
            r.cache_read_tokens,
            r.cache_write_tokens,
        )  # fmt: skip
        for r in UsageRecord.objects.all()
    }


def counted(kind: str, counts: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """What a clean item is stored as (OpenAI has no cache writes: that slot is requests)."""
    return (*counts[:3], 0) if kind == SourceKind.OPENAI else counts


@pytest.mark.parametrize("kind", [SourceKind.OPENAI, SourceKind.ANTHROPIC, SourceKind.LITELLM])
@PROFILE
@given(
    baseline=st.lists(COUNTS, min_size=KEYS, max_size=KEYS),
    new=st.lists(ITEM, min_size=KEYS, max_size=KEYS),
)
def test_a_reread_day_keeps_every_junk_items_row_and_writes_every_clean_one(
    unit, kind, baseline, new
):
    UsageRecord.objects.all().delete()
    source, _ = UsageSource.objects.get_or_create(name=kind, kind=kind)
    account, _ = UsageAccount.objects.get_or_create(
        source=source, external_id=ACCOUNT[kind], defaults={"unit": unit}
    )
    names = [f"m{n}" for n in range(KEYS)]
    ingest(
        source,
        account,
        kind,
        {n: item(kind, c, None) for n, c in zip(names, baseline, strict=True)},
    )
    before = stored()
    assert before == {n: counted(kind, c) for n, c in zip(names, baseline, strict=True)}

    sent = {
        name: item(kind, counts, None if status == "clean" else (slot, junk))
        for name, (status, counts, slot, junk) in zip(names, new, strict=True)
        if status != "absent"
    }
    problems = ingest(source, account, kind, sent)

    after = stored()
    statuses = [status for status, *_ in new]
    reported = "clean" in statuses  # the day is in the new answer
    for name, (status, counts, *_) in zip(names, new, strict=True):
        if status == "clean":
            assert after[name] == counted(kind, counts)
        elif status == "junk" or "junk" in statuses or not reported:
            assert after[name] == before[name]  # never changed, never deleted
        else:  # left out of a clean answer for its day: the source re-attributed it
            assert name not in after
    assert len(problems) >= statuses.count("junk")

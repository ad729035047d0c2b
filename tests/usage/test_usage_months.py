"""A unit's month per model is kept by PostgreSQL triggers (issue 17: the month view reads ~40
rows, not ~1,000 records): after any write, through any path, it equals its records' sums."""

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import BusinessUnit
from tests.factories import AIModelFactory
from usage.choices import SourceKind
from usage.models import UsageAccount, UsageMonth, UsageRecord, UsageSource

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the months are kept by PostgreSQL triggers",
    ),
]
FIELDS = [
    "records", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
    "requests", "uncounted", "billed_cost", "unbilled", "list_cost", "unpriced",
]  # fmt: skip
SUMMED = """
SELECT unit_id, date_trunc('month', day)::date, vendor_model_id, model_id, COUNT(*),
    SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens),
    COALESCE(SUM(requests), 0), COUNT(*) - COUNT(requests),
    COALESCE(SUM(billed_cost), 0), COUNT(*) - COUNT(billed_cost), COALESCE(SUM(list_cost), 0),
    COUNT(*) - COUNT(list_cost)
FROM usage_usagerecord GROUP BY 1, 2, 3, 4
"""


def kept() -> set[tuple]:
    rows = UsageMonth.objects.filter(records__gt=0).values_list(
        "unit_id", "month", "vendor_model_id", "model_id", *FIELDS
    )
    return set(rows)


def summed() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(SUMMED)
        return {tuple(row) for row in cursor.fetchall()}


@pytest.fixture
def world(unit, other_unit):
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    accounts = [
        UsageAccount.objects.create(source=source, external_id=u.slug, unit=u)
        for u in (unit, other_unit)
    ]
    models = [AIModelFactory(slug=f"m{i}", vendor_model_id=f"m{i}") for i in range(3)]
    return source, accounts, models


def record(source, account, day: date, name: str, model, **values) -> UsageRecord:
    return UsageRecord.objects.create(
        source=source, account=account, unit_id=account.unit_id, day=day, vendor_model_id=name,
        model=model, ingested_at=datetime(2026, 11, 1, tzinfo=UTC),
        **{"input_tokens": 10, "output_tokens": 1, "requests": 1, "billed_cost": Decimal("1.5"),
           "list_cost": Decimal("2.25"), **values},
    )  # fmt: skip


def test_a_month_is_the_sum_of_its_records_with_unknown_parts_counted(world):
    source, (marketing, engineering), (m0, m1, _) = world
    record(source, marketing, date(2026, 10, 3), "m0", m0)
    record(source, marketing, date(2026, 10, 4), "m0", m0, requests=None, billed_cost=None)
    record(source, marketing, date(2026, 11, 1), "m0", m0)
    record(source, engineering, date(2026, 10, 4), "odd", None, list_cost=None)
    month = UsageMonth.objects.get(unit_id=marketing.unit_id, month=date(2026, 10, 1))
    assert (month.records, month.input_tokens, month.requests, month.uncounted) == (2, 20, 1, 1)
    assert (month.billed_cost, month.unbilled, month.list_cost) == (
        Decimal("1.5"),
        1,
        Decimal("4.5"),
    )
    assert kept() == summed()


def test_every_write_path_keeps_the_months(world):
    """ORM saves, a raw UPDATE, bulk upserts, deletes and the cascades of a model (SET NULL),
    an account and a unit: each leaves the months equal to the records' sums."""
    source, (marketing, engineering), (m0, m1, m2) = world
    rows = [record(source, marketing, date(2026, 10, d), f"m{d % 3}", [m0, m1, m2][d % 3])
            for d in range(1, 10)]  # fmt: skip
    assert kept() == summed()
    rows[0].input_tokens = 999
    rows[0].save()
    UsageRecord.objects.filter(day__gte=date(2026, 10, 5)).update(
        billed_cost=None, unit_id=engineering.unit_id
    )
    assert kept() == summed()
    UsageRecord.objects.bulk_create(
        [UsageRecord(source=source, account=marketing, unit_id=marketing.unit_id,
                     day=date(2026, 10, 1), vendor_model_id="m1", model=m1, input_tokens=5,
                     output_tokens=5, requests=None, billed_cost=Decimal(3), list_cost=None,
                     ingested_at=datetime(2026, 11, 2, tzinfo=UTC))],
        update_conflicts=True, unique_fields=["source", "account", "day", "vendor_model_id"],
        update_fields=["input_tokens", "requests", "billed_cost", "list_cost", "ingested_at"],
    )  # fmt: skip
    assert kept() == summed()
    m2.delete()  # the records' model is set to null
    assert kept() == summed()
    rows[3].delete()
    engineering.delete()  # the account's records go
    assert kept() == summed()
    BusinessUnit.objects.filter(pk=marketing.unit_id).delete()
    assert kept() == summed() == set()


OPERATION = st.tuples(
    st.sampled_from(["add", "change", "remove"]),
    st.integers(0, 1),  # account
    st.integers(1, 60),  # day (October or November)
    st.integers(0, 3),  # model (3: unmatched)
    st.one_of(st.none(), st.decimals("0", "99.999999", places=6)),
    st.one_of(st.none(), st.integers(0, 10**6)),
    st.integers(0, 2**63 - 1),  # cache reads: any that fit the record's column
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(OPERATION, max_size=20))
def test_any_sequence_of_writes_keeps_the_months_equal_to_the_sums(world, operations):
    source, accounts, models = world
    for kind, account, day, model, cost, requests, cache_read in operations:
        when = date(2026, 10, 1) + timedelta(days=day - 1)
        found = UsageRecord.objects.filter(account=accounts[account], day=when)
        matched = models[model] if model < 3 else None
        if kind == "add" and not found.filter(vendor_model_id=f"m{model}").exists():
            record(source, accounts[account], when, f"m{model}", matched, billed_cost=cost,
                   requests=requests, cache_read_tokens=cache_read)  # fmt: skip
        elif kind == "change":
            found.update(list_cost=cost, requests=requests, unit_id=accounts[1 - account].unit_id,
                         cache_write_tokens=cache_read)  # fmt: skip
        elif kind == "remove":
            found.delete()
    assert kept() == summed()
    UsageRecord.objects.all().delete()
    assert kept() == set()


def test_records_whose_sum_passes_a_bigint_still_make_a_month(world):
    """Two days of 5·10^18 tokens each fit a record, not a 64-bit sum: the month's sums are
    numeric, so the writer's statement never fails on them."""
    source, (marketing, _), (m0, _, _) = world
    huge = 5 * 10**18
    record(source, marketing, date(2026, 10, 3), "m0", m0, input_tokens=huge)
    record(source, marketing, date(2026, 10, 4), "m0", m0, input_tokens=huge,
           cache_read_tokens=huge)  # fmt: skip
    month = UsageMonth.objects.get(unit_id=marketing.unit_id, month=date(2026, 10, 1))
    assert (month.input_tokens, month.cache_read_tokens) == (2 * huge, huge)
    assert kept() == summed()


def test_the_months_of_records_stored_before_the_triggers_are_filled_in(world):
    """The migration's backfill: the months of existing records, summed the same way."""
    from importlib import import_module

    migration = import_module("usage.migrations.0003_usagemonth")
    source, (marketing, _), (m0, _, _) = world
    record(source, marketing, date(2026, 10, 3), "m0", m0)
    record(source, marketing, date(2026, 10, 4), "m0", m0, list_cost=None)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM usage_usagemonth")
        cursor.execute(migration.BACKFILL)
    assert kept() == summed() != set()

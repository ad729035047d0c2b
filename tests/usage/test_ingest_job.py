"""The ingest job's entry points: the command with its progress bar, the task, the schedule."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.choices import JobKind
from core.models import JobRun
from tests.usage.conftest import october_plan, source_at
from usage.choices import SourceKind
from usage.models import UsageRecord
from usage.services.ingest import ingest_window
from usage.tasks import ingest_usage

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_day(fake) -> str:
    """The fake's 31 days of usage end a week ago, so `since` stays within the days an ingest
    may go back (`MAX_BACKFILL_DAYS`) whenever the suite runs."""
    first = timezone.now().date() - timedelta(days=38)
    fake.usage_plan = october_plan(start=first, end=first + timedelta(days=30))
    return first.isoformat()


@pytest.fixture
def gateway(fake, priced_catalog, unit):
    return source_at(fake, SourceKind.LITELLM, {"team-marketing": unit})


def test_the_command_ingests_from_since_with_a_progress_bar(gateway, first_day, capsys):
    call_command("ingest_usage", since=first_day)
    out, err = capsys.readouterr()
    assert "62 rows read, 62 written, 0 problems" in out
    assert "Ingesting usage" in err and "1/1" in err
    assert UsageRecord.objects.count() == 62


def test_the_command_refuses_a_bad_date_or_source(gateway):
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("ingest_usage", since="October")
    with pytest.raises(CommandError, match="unknown usage source: nope"):
        call_command("ingest_usage", source=["nope"])


def test_the_task_rereads_the_lookback_setting_at_each_run(gateway, first_day, settings):
    settings.USAGE_LOOKBACK_DAYS = 10
    assert ingest_window()[0] == timezone.now().date() - timedelta(days=10)
    settings.USAGE_LOOKBACK_DAYS = 2
    assert ingest_window()[0] == timezone.now().date() - timedelta(days=2)
    assert ingest_usage.delay(since=first_day).get()["checked"] == 62


def test_a_run_left_open_by_a_killed_worker_is_closed_by_the_next(gateway):
    stale = JobRun.objects.create(
        kind=JobKind.INGEST_USAGE, started_at=timezone.now() - timedelta(hours=2)
    )
    yesterday = timezone.now().date() - timedelta(days=1)
    call_command("ingest_usage", since=yesterday.isoformat(), verbosity=0)
    stale.refresh_from_db()
    assert stale.finished_at is not None and "interrupted" in stale.errors[0]["error"]


def test_ingest_runs_daily_from_the_one_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["ingest-usage"]
    assert entry["task"] == "usage.tasks.ingest_usage"

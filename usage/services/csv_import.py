"""`import_usage`: any other vendor's daily usage export, one CSV row per account, day and
model, with the columns of COLUMNS. Each bad line is reported by its number and skipped; the good
ones are written in one transaction, so a failure leaves nothing half-written."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from core.choices import JobKind
from core.models import JobRun
from usage.connectors.base import BadValue, UsageRow, count, money, text
from usage.models import UsageSource
from usage.services.findings import findings_check
from usage.services.matching import ModelMatcher
from usage.services.records import records_write

COLUMNS = ["day", "account", "model", "input_tokens", "output_tokens", "requests", "billed_cost"]
MAX_FIELD = 1000


@dataclass
class ImportResult:
    read: int = 0
    written: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def _whole(value: str, name: str) -> int:
    value = value.strip()
    if not value.isdecimal():
        raise BadValue(f"{name} must be a whole number, got {value!r}")
    return count(int(value), name)


def _row(line: dict[str, str | None], accounts: set[str]) -> UsageRow:
    values = {name: (line.get(name) or "").strip() for name in COLUMNS}
    if any(len(v) > MAX_FIELD for v in values.values()) or None in line:
        raise BadValue("too many or too long fields")
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        raise BadValue(f"day must be YYYY-MM-DD, got {values['day']!r}") from None
    account = text(values["account"], "account")
    if account not in accounts:
        raise BadValue(f"no usage account {account!r} at this source")
    return UsageRow(
        account=account,
        day=day,
        model=text(values["model"], "model"),
        input_tokens=_whole(values["input_tokens"] or "0", "input_tokens"),
        output_tokens=_whole(values["output_tokens"] or "0", "output_tokens"),
        # A blank means the export does not count requests: unknown, not 0.
        requests=_whole(values["requests"], "requests") if values["requests"] else None,
        billed_cost=money(values["billed_cost"], "billed_cost") if values["billed_cost"] else None,
    )


def usage_import_csv(*, source: UsageSource, lines: Iterable[str]) -> ImportResult:
    """Read the file; write its good rows at once; report bad ones as (line number, reason)."""
    result = ImportResult()
    accounts = {a.external_id: a for a in source.accounts.select_related("unit")}
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        result.bad_lines.append((1, f"missing columns: {', '.join(missing)}"))
        return result
    rows: list[UsageRow] = []
    try:
        for line in reader:
            result.read += 1
            try:
                rows.append(_row(line, set(accounts)))
            except BadValue as exc:
                result.bad_lines.append((reader.line_num, str(exc)))
    except (csv.Error, UnicodeDecodeError) as exc:
        result.bad_lines.append((reader.line_num, f"unreadable: {exc}"))
        rows = []  # the rest of the file cannot be trusted: write nothing
    if not rows:
        return result
    run = JobRun(kind=JobKind.INGEST_USAGE, started_at=timezone.now())
    with transaction.atomic():
        written = records_write(
            source=source,
            accounts=accounts,
            rows=rows,
            costs=[],
            since=min(r.day for r in rows),
            until=max(r.day for r in rows),
            matcher=ModelMatcher(source.kind, unit_ids={a.unit_id for a in accounts.values()}),
            replace_days=False,
        )
        run.checked, run.changed = written.checked, written.changed
        run.flagged = len(result.bad_lines)
        run.errors = [
            {"source": source.name, "line": n, "error": e} for n, e in result.bad_lines[:200]
        ]
        run.finished_at = timezone.now()
        run.save()
    result.written = written.changed
    findings_check(unit_months=written.touched)
    return result

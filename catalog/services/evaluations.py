"""Import evaluation evidence (CSV or JSON rows: model, task, metric, score, source, date).

All or nothing: every bad row is reported by its line and nothing is written.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from catalog.models import AIModel, Evaluation
from core.errors import InvalidRequest

FIELDS = ("model", "task", "metric", "score", "source", "date")
MAX_TEXT = {"task": 80, "metric": 80, "source": 200}


@dataclass(frozen=True)
class EvalImportResult:
    created: int
    updated: int


def _rows(text: str, fmt: str) -> list[tuple[int, dict[str, object]]]:
    """(line number, row) pairs; JSON rows are numbered by their position (1-based)."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidRequest(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise InvalidRequest("line 1: the JSON is nested too deeply") from None
        if not isinstance(data, list):
            raise InvalidRequest("line 1: the JSON file must be a list of objects")
        return [(n, row if isinstance(row, dict) else {}) for n, row in enumerate(data, 1)]
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in FIELDS if name not in (reader.fieldnames or [])]
    if missing:
        raise InvalidRequest(f"line 1: the header lacks {', '.join(missing)}")
    return [(reader.line_num, dict(row)) for row in reader]


def _clean(line: int, row: dict[str, object], models: dict[str, AIModel]) -> Evaluation:
    problems = []
    values = {name: str(row.get(name) or "").replace("\x00", "").strip() for name in FIELDS}
    model = models.get(values["model"])
    if model is None:
        problems.append(f"model {values['model']!r} is not in the catalog")
    for name, limit in MAX_TEXT.items():
        if not values[name]:
            problems.append(f"{name} is empty")
        elif len(values[name]) > limit:
            problems.append(f"{name} is longer than {limit} characters")
    try:
        score = Decimal(values["score"])
        if not score.is_finite() or abs(score) >= Decimal("1e8"):
            raise InvalidOperation
    except InvalidOperation:
        problems.append(f"score {values['score']!r} is not a number")
    try:
        when = date.fromisoformat(values["date"])
    except ValueError:
        problems.append(f"date {values['date']!r} is not YYYY-MM-DD")
    if problems:
        raise InvalidRequest(f"line {line}: {'; '.join(problems)}")
    return Evaluation(
        model=model,
        task=values["task"],
        metric=values["metric"],
        score=score.quantize(Decimal("0.0001")),
        source=values["source"],
        date=when,
    )


def evaluations_import(*, text: str, fmt: str) -> EvalImportResult:
    """Validate every row first, then write them all in one transaction (re-import updates)."""
    rows = _rows(text, fmt)
    slugs = {str(row.get("model") or "").strip() for _, row in rows}
    models = {m.slug: m for m in AIModel.objects.filter(slug__in=slugs)}
    evaluations, errors = [], []
    for line, row in rows:
        try:
            evaluations.append(_clean(line, row, models))
        except InvalidRequest as exc:
            errors.append(str(exc))
    if errors:
        raise InvalidRequest("\n".join(errors))
    created = updated = 0
    with transaction.atomic():
        for ev in evaluations:
            _, was_created = Evaluation.objects.update_or_create(
                model=ev.model,
                task=ev.task,
                metric=ev.metric,
                source=ev.source,
                date=ev.date,
                defaults={"score": ev.score},
            )
            created += was_created
            updated += not was_created
    return EvalImportResult(created=created, updated=updated)

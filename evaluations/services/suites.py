"""Suites in: one validator for the JSONL import and the API, all or nothing."""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.db import transaction
from django.utils.text import slugify

from accounts.models import BusinessUnit
from catalog.models import Specialty
from core.errors import Conflict, InvalidRequest
from evaluations.choices import Grader
from evaluations.graders import check_expected
from evaluations.models import EvalCase, EvalSuite

ROLES = {"system", "user", "assistant"}
MAX_CASES = 10_000
MAX_CONTENT = 100_000


class Unparsable(NamedTuple):
    """A JSONL line that was not JSON: validation reports its parse error."""

    message: str


@dataclass
class SuiteInput:
    """A suite as the API or a JSONL file states it, before any check."""

    slug: str = ""
    name: str = ""
    specialty: str = ""
    unit: str = ""
    description: str = ""
    cases: list[tuple[int, Any]] = field(default_factory=list)  # (line or position, raw case)


def _decimal(value: object, name: str, problems: list[str]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(f"{name} must be a number")
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{name} must be a number")
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e6"):
        problems.append(f"{name} must be between 0 and 1e6")
        return None
    return number


def _messages(raw: dict[str, Any], problems: list[str]) -> list[dict[str, str]]:
    if "messages" in raw:
        messages = raw["messages"]
        if not (isinstance(messages, list) and messages):
            problems.append("messages must be a non-empty list")
            return []
        for turn in messages:
            if not (
                isinstance(turn, dict)
                and turn.get("role") in ROLES
                and isinstance(turn.get("content"), str)
                and turn["content"]
            ):
                problems.append("each message needs a role (system|user|assistant) and content")
                return []
        if sum(len(turn["content"]) for turn in messages) > MAX_CONTENT:
            problems.append(f"messages are longer than {MAX_CONTENT} characters")
            return []
        return [{"role": turn["role"], "content": turn["content"]} for turn in messages]
    prompt = raw.get("prompt")
    if not (isinstance(prompt, str) and prompt.strip()):
        problems.append("a case needs messages or a prompt")
        return []
    if len(prompt) > MAX_CONTENT:
        problems.append(f"prompt is longer than {MAX_CONTENT} characters")
        return []
    return [{"role": "user", "content": prompt}]


def case_clean(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """A case's fields ready for EvalCase, or the list of what is wrong with it."""
    if isinstance(raw, Unparsable):
        return {}, [raw.message]
    if not isinstance(raw, dict):
        return {}, ["a case must be a JSON object"]
    problems: list[str] = []
    messages = _messages(raw, problems)
    grader = raw.get("grader")
    if grader not in Grader.values:
        problems.append(f"grader must be one of {', '.join(Grader.values)}")
    elif "expected" not in raw:
        problems.append("expected is missing")
    else:
        try:
            problem = check_expected(grader, raw["expected"])
        except RecursionError:
            problem = "expected is nested too deeply"
        if problem:
            problems.append(problem)
    weight = _decimal(raw.get("weight", 1), "weight", problems)
    tolerance = _decimal(raw.get("tolerance", 0), "tolerance", problems)
    cleaned = {
        "messages": messages,
        "expected": raw.get("expected"),
        "grader": grader,
        "weight": weight,
        "tolerance": tolerance,
    }
    return cleaned, problems


def _text(value: object, name: str, limit: int, problems: list[str], *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(f"{name} must be a string")
        return ""
    value = value.replace("\x00", "").strip()
    if required and not value:
        problems.append(f"{name} is required")
    elif len(value) > limit:
        problems.append(f"{name} is longer than {limit} characters")
    return value


@transaction.atomic
def suite_import(*, data: SuiteInput, what: str = "line") -> EvalSuite:
    """Create the suite with its cases, or replace the cases of a suite that has no runs yet.

    Every problem is reported (by `what` number: a JSONL line or a case position) and nothing
    is written when there is any.
    """
    problems: list[str] = []
    slug = _text(data.slug, "slug", 80, problems, required=True)
    if slug and slugify(slug) != slug:
        problems.append("slug may hold only lowercase letters, digits and hyphens")
    name = _text(data.name, "name", 200, problems, required=True)
    description = _text(data.description, "description", 5000, problems, required=False)
    specialty = unit = None
    specialty_slug = _text(data.specialty, "specialty", 40, problems, required=False)
    if specialty_slug and not (specialty := Specialty.objects.filter(slug=specialty_slug).first()):
        problems.append(f"specialty {specialty_slug!r} is not in the catalog")
    unit_slug = _text(data.unit, "unit", 50, problems, required=False)
    if unit_slug and not (unit := BusinessUnit.objects.filter(slug=unit_slug).first()):
        problems.append(f"unit {unit_slug!r} does not exist")
    if not data.cases:
        problems.append("the suite has no cases")
    elif len(data.cases) > MAX_CASES:
        problems.append(f"a suite holds at most {MAX_CASES} cases")
    cases = []
    for number, raw in data.cases[:MAX_CASES]:
        cleaned, case_problems = case_clean(raw)
        problems.extend(f"{what} {number}: {p}" for p in case_problems)
        cases.append(cleaned)
    if problems:
        raise InvalidRequest("\n".join(problems))
    suite = EvalSuite.objects.select_for_update().filter(slug=slug).first()
    if suite is not None and suite.runs.exists():
        raise Conflict(f"suite {slug!r} has runs; import the new cases under another slug")
    if suite is None:
        suite = EvalSuite(slug=slug)
    suite.name, suite.description, suite.specialty, suite.unit = name, description, specialty, unit
    suite.save()
    suite.cases.all().delete()
    EvalCase.objects.bulk_create(
        EvalCase(suite=suite, position=position, **case) for position, case in enumerate(cases, 1)
    )
    return suite


def suite_input_from_jsonl(text: str, **overrides: str) -> SuiteInput:
    """One case a line; an optional first line {"suite": {slug, name, …}} names the suite.

    Unparsable lines become cases that fail validation, so they are reported by number too.
    """
    data = SuiteInput()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw: Any = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raw = Unparsable(f"not valid JSON ({exc})")
        if number == 1 and isinstance(raw, dict) and isinstance(raw.get("suite"), dict):
            header = raw["suite"]
            for name in ("slug", "name", "specialty", "unit", "description"):
                setattr(data, name, header.get(name, ""))
            continue
        data.cases.append((number, raw))
    for name, value in overrides.items():
        if value:
            setattr(data, name, value)
    return data

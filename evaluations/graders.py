"""Graders: pure functions judging one reply against a case's `expected`.

json_schema uses the `jsonschema` package (Draft 2020-12, pinned in requirements.txt), not a
home-made subset: schemas people write use `enum`, `pattern` and `$defs`.
"""

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import jsonschema
from jsonschema.validators import Draft202012Validator

from evaluations.choices import Grader

MAX_GRADED_CHARS = 20_000  # a runaway reply is judged on its head, not scanned for minutes
NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")
FENCE = re.compile(r"^```[\w-]*\s*\n?(.*?)\n?```\s*$", re.DOTALL)


def grade_exact(output: str, expected: str) -> bool:
    """Equal after trimming whitespace: models pad answers with newlines."""
    return output.strip() == expected.strip()


def grade_contains(output: str, expected: str | list[str]) -> bool:
    """Every expected phrase appears, ignoring case."""
    phrases = [expected] if isinstance(expected, str) else expected
    lowered = output.casefold()
    return all(phrase.casefold() in lowered for phrase in phrases)


def grade_regex(output: str, expected: str) -> bool:
    return re.search(expected, output[:MAX_GRADED_CHARS]) is not None


def strip_fence(output: str) -> str:
    """The body of a ```json fenced block, which chat models add unasked."""
    text = output.strip()
    match = FENCE.match(text)
    return match.group(1).strip() if match else text


def grade_json_schema(output: str, expected: dict[str, Any]) -> bool:
    """The reply parses as JSON (a fence around it allowed) and validates against the schema."""
    try:
        value = json.loads(strip_fence(output[:MAX_GRADED_CHARS]))
    except (ValueError, RecursionError):  # a reply of "[[[[…" is a wrong answer, not a crash
        return False
    return bool(Draft202012Validator(expected).is_valid(value))


def first_number(output: str) -> Decimal | None:
    match = NUMBER.search(output[:MAX_GRADED_CHARS])
    if match is None:
        return None
    try:
        value = Decimal(match.group().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def grade_number(output: str, expected: Decimal, tolerance: Decimal = Decimal(0)) -> bool:
    """The first number in the reply is within `tolerance` of the expected one."""
    value = first_number(output)
    return value is not None and abs(value - expected) <= tolerance


def grade(grader: str, output: str, expected: Any, tolerance: Decimal = Decimal(0)) -> bool:
    """Dispatch on the case's grader; `expected` was validated by `check_expected` on import."""
    if grader == Grader.EXACT:
        return grade_exact(output, expected)
    if grader == Grader.CONTAINS:
        return grade_contains(output, expected)
    if grader == Grader.REGEX:
        return grade_regex(output, expected)
    if grader == Grader.JSON_SCHEMA:
        return grade_json_schema(output, expected)
    if grader == Grader.NUMBER:
        return grade_number(output, Decimal(str(expected)), tolerance)
    raise ValueError(f"unknown grader {grader!r}")


def check_expected(grader: str, expected: Any) -> str:
    """Why `expected` cannot work with `grader`, or "" when it can."""
    if grader in (Grader.EXACT, Grader.REGEX):
        if not isinstance(expected, str) or not expected:
            return f"{grader} needs a non-empty string as expected"
        if grader == Grader.REGEX:
            try:
                re.compile(expected)
            except re.error as exc:
                return f"expected is not a valid regular expression: {exc}"
        return ""
    if grader == Grader.CONTAINS:
        phrases = [expected] if isinstance(expected, str) else expected
        if not (
            isinstance(phrases, list) and phrases and all(isinstance(p, str) and p for p in phrases)
        ):
            return "contains needs a string or a list of strings as expected"
        return ""
    if grader == Grader.JSON_SCHEMA:
        if not isinstance(expected, dict):
            return "json_schema needs a JSON Schema object as expected"
        try:
            Draft202012Validator.check_schema(expected)
        except jsonschema.SchemaError as exc:
            return f"expected is not a valid JSON Schema: {exc.message}"
        return ""
    if grader == Grader.NUMBER:
        if isinstance(expected, bool) or not isinstance(expected, int | float | str):
            return "number needs a number as expected"
        try:
            value = Decimal(str(expected))
        except InvalidOperation:
            return "number needs a number as expected"
        return "" if value.is_finite() else "number needs a finite number as expected"
    return f"unknown grader {grader!r}; one of {', '.join(Grader.values)}"

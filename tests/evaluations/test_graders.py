from decimal import Decimal

import pytest

from evaluations.graders import (
    check_expected,
    grade,
    grade_contains,
    grade_exact,
    grade_json_schema,
    grade_number,
    grade_regex,
)

SCHEMA = {
    "type": "object",
    "required": ["vendor", "total"],
    "properties": {"vendor": {"const": "Acme"}, "total": {"type": "number"}},
}


def test_exact_ignores_surrounding_whitespace_but_not_case():
    assert grade_exact("  billing\n", "billing")
    assert not grade_exact("Billing", "billing")
    assert not grade_exact("billing, probably", "billing")


def test_contains_needs_every_phrase_ignoring_case():
    assert grade_contains("The ORDER was Shipped", "shipped")
    assert grade_contains("refund issued to card", ["refund", "card"])
    assert not grade_contains("refund issued", ["refund", "card"])


def test_regex_searches_the_reply():
    assert grade_regex("SELECT count(*) FROM orders;", r"(?i)select\s+count")
    assert not grade_regex("SELECT * FROM orders;", r"(?i)select\s+count")


def test_json_schema_accepts_a_fenced_reply_and_rejects_wrong_values_or_junk():
    assert grade_json_schema('```json\n{"vendor": "Acme", "total": 12.5}\n```', SCHEMA)
    assert not grade_json_schema('{"vendor": "Acme", "total": "12.5"}', SCHEMA)
    assert not grade_json_schema('{"vendor": "Other", "total": 1}', SCHEMA)
    assert not grade_json_schema("here you go: {", SCHEMA)


def test_number_takes_the_first_number_within_the_tolerance():
    assert grade_number("The amount due is 1,234.50 EUR", Decimal("1234.5"))
    assert grade_number("about 10.004", Decimal("10"), Decimal("0.01"))
    assert not grade_number("about 10.02", Decimal("10"), Decimal("0.01"))
    assert not grade_number("no idea", Decimal("10"))
    assert not grade_number("1e999999", Decimal("10"))


def test_grade_dispatches_on_the_grader_name():
    assert grade("number", "42", 42, Decimal("0"))
    assert grade("contains", "yes it is", "yes")
    with pytest.raises(ValueError):
        grade("fuzzy", "a", "a")


@pytest.mark.parametrize(
    ("grader", "expected"),
    [
        ("exact", ""),
        ("regex", "([unclosed"),
        ("contains", ["ok", 3]),
        ("json_schema", {"type": "not-a-type"}),
        ("json_schema", "a string"),
        ("number", "ten"),
        ("number", True),
        ("number", "NaN"),
        ("fuzzy", "a"),
    ],
)
def test_expected_values_a_grader_cannot_use_are_refused(grader, expected):
    assert check_expected(grader, expected)


def test_a_reply_nested_past_the_decoders_limit_is_a_wrong_answer_not_a_crash():
    from evaluations.graders import grade_json_schema

    assert grade_json_schema("[" * 15_000 + "]" * 5_000, {"type": "array"}) is False

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from evaluations.models import EvalCase, EvalSuite

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "evaluations" / "demo_suites"


def write(tmp_path: Path, lines: list[object]) -> Path:
    path = tmp_path / "suite.jsonl"
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    )
    return path


@pytest.mark.parametrize("name", sorted(p.name for p in DEMO.glob("*.jsonl")))
def test_each_demo_suite_imports_with_all_its_cases(name):
    out = StringIO()
    call_command("import_eval_suite", str(DEMO / name), stdout=out)
    suite = EvalSuite.objects.get()
    assert suite.cases.count() == 40
    assert suite.specialty is not None
    assert f"Imported suite {suite.slug}: 40 cases" in out.getvalue()


def test_bad_lines_are_reported_by_number_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        [
            {"suite": {"slug": "triage", "name": "Triage"}},
            {"prompt": "Route: refund please", "expected": "billing", "grader": "exact"},
            "{not json",
            {"prompt": "x", "expected": "([", "grader": "regex"},
            {"messages": [{"role": "robot", "content": "x"}], "expected": 1, "grader": "number"},
            {"prompt": "y", "expected": 3, "grader": "number", "weight": -1},
        ],
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_eval_suite", str(path))
    message = str(caught.value)
    assert "line 3: not valid JSON" in message
    assert "line 4: expected is not a valid regular expression" in message
    assert "line 5: each message needs a role" in message
    assert "line 6: weight must be between 0 and 1e6" in message
    assert "line 2" not in message
    assert not EvalSuite.objects.exists() and not EvalCase.objects.exists()


def test_options_name_a_suite_without_a_header_and_a_reimport_replaces_its_cases(tmp_path):
    case = {"prompt": "2+2?", "expected": 4, "grader": "number", "tolerance": 0.5, "weight": 2}
    path = write(tmp_path, [case, case])
    call_command("import_eval_suite", str(path), slug="maths", name="Maths", stdout=StringIO())
    path = write(tmp_path, [case])
    call_command("import_eval_suite", str(path), slug="maths", name="Maths", stdout=StringIO())
    suite = EvalSuite.objects.get(slug="maths")
    (only,) = suite.cases.all()
    assert only.messages == [{"role": "user", "content": "2+2?"}]
    assert str(only.weight) == "2.000" and str(only.tolerance) == "0.500000"


def test_an_unknown_specialty_or_unit_is_refused(tmp_path):
    path = write(
        tmp_path,
        [
            {"suite": {"slug": "s", "name": "S", "specialty": "astrology", "unit": "nowhere"}},
            {"prompt": "p", "expected": "e", "grader": "exact"},
        ],
    )
    with pytest.raises(CommandError, match="specialty 'astrology'.*\n.*unit 'nowhere'"):
        call_command("import_eval_suite", str(path))

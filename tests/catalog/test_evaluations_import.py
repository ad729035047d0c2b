from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Evaluation
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

HEADER = "model,task,metric,score,source,date\n"


def run(tmp_path, text: str, name: str = "evals.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    out = StringIO()
    call_command("import_evals", str(path), stdout=out)
    return out.getvalue()


def test_csv_rows_become_evaluations_and_reimport_updates(tmp_path):
    AIModelFactory(slug="haiku")
    out = run(tmp_path, HEADER + "haiku,mmlu,accuracy,0.752,vendor card,2024-03-04\n")
    assert "1 created, 0 updated" in out
    out = run(tmp_path, HEADER + "haiku,mmlu,accuracy,0.76,vendor card,2024-03-04\n")
    assert "0 created, 1 updated" in out
    assert str(Evaluation.objects.get().score) == "0.7600"


def test_json_rows_are_accepted(tmp_path):
    AIModelFactory(slug="haiku")
    run(
        tmp_path,
        '[{"model": "haiku", "task": "humaneval", "metric": "pass@1", "score": 0.75,'
        ' "source": "paper", "date": "2024-03-04"}]',
        "evals.json",
    )
    assert Evaluation.objects.get().task == "humaneval"


def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path):
    AIModelFactory(slug="haiku")
    text = (
        HEADER
        + "haiku,mmlu,accuracy,0.75,card,2024-03-04\n"
        + "ghost,mmlu,accuracy,0.75,card,2024-03-04\n"
        + "haiku,mmlu,accuracy,high,card,2024-13-40\n"
    )
    with pytest.raises(CommandError) as error:
        run(tmp_path, text)
    message = str(error.value)
    assert "line 3: model 'ghost' is not in the catalog" in message
    assert "line 4: score 'high' is not a number; date '2024-13-40' is not YYYY-MM-DD" in message
    assert not Evaluation.objects.exists()


def test_a_csv_without_the_required_columns_names_them(tmp_path):
    with pytest.raises(CommandError, match="line 1: the header lacks metric, source"):
        run(tmp_path, "model,task,score,date\nx,y,1,2024-01-01\n")

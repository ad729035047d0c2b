"""`manage.py import_usage FILE.csv`: good lines written at once, bad ones reported by number."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from usage.choices import SourceKind
from usage.models import UsageAccount, UsageRecord, UsageSource

pytestmark = pytest.mark.django_db
HEADER = "day,account,model,input_tokens,output_tokens,requests,billed_cost\n"


@pytest.fixture
def source(unit):
    source = UsageSource.objects.create(name="Other vendor", kind=SourceKind.FILE)
    UsageAccount.objects.create(source=source, external_id="acct-7", unit=unit)
    return source


def run(tmp_path, body: str, capsys) -> tuple[str, str]:
    path = tmp_path / "usage.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    call_command("import_usage", str(path), source="Other vendor")
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_bad_lines_are_reported_by_number_and_the_good_ones_imported(source, tmp_path, capsys):
    out, err = run(
        tmp_path,
        "2026-10-01,acct-7,mystral-large,1000,200,3,0.0125\n"
        "2026-10-32,acct-7,m,1,1,1,\n"
        "2026-10-02,nobody,m,1,1,1,\n"
        "2026-10-02,acct-7,m,-4,1,1,\n"
        "2026-10-02,acct-7,m,1,1,1,NaN\n"
        "2026-10-02,acct-7,m,5,6,7,\n",
        capsys,
    )
    assert "line 3: day must be YYYY-MM-DD" in err
    assert "line 4: no usage account 'nobody'" in err
    assert "line 5: input_tokens must be a whole number" in err
    assert "line 6: billed_cost must be finite" in err
    assert "6 line(s) read, 2 row(s) written, 4 bad line(s)" in out
    first = UsageRecord.objects.get(vendor_model_id="mystral-large")
    assert first.billed_cost == Decimal("0.0125") and first.model is None
    assert first.list_cost is None  # unknown to the catalog: unpriced, never $0


def test_importing_the_same_file_again_replaces_rather_than_adds(source, tmp_path, capsys):
    run(tmp_path, "2026-10-01,acct-7,m,1000,200,3,1.50\n", capsys)
    out, _ = run(tmp_path, "2026-10-01,acct-7,m,1000,200,3,1.75\n", capsys)
    assert "1 row(s) written" in out
    assert UsageRecord.objects.get().billed_cost == Decimal("1.75")


def test_a_file_without_the_columns_imports_nothing(source, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text("date,team,cost\n2026-10-01,a,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_usage", str(path), source="Other vendor")
    assert not UsageRecord.objects.exists()


def test_an_undecodable_file_writes_nothing(source, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_bytes(HEADER.encode() + b"2026-10-01,acct-7,m,1,1,1,\n" * 3000 + b"\xff\xfe,\n")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_usage", str(path), source="Other vendor")
    assert not UsageRecord.objects.exists()


def test_a_blank_request_count_is_unknown_and_zero_is_zero(source, tmp_path, capsys):
    run(tmp_path, "2026-10-01,acct-7,m,10,2,,\n2026-10-02,acct-7,m,10,2,0,\n", capsys)
    requests = dict(UsageRecord.objects.values_list("day__day", "requests"))
    assert requests == {1: None, 2: 0}

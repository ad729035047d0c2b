"""`make audit`'s verdict: a vulnerability always fails; an unauditable package passes only
while the dated waiver in SECURITY.md lasts."""

from datetime import timedelta

from scripts.audit import WAIVER_UNTIL, verdict

CLEAN = {"name": "django", "version": "5.2.19", "vulns": []}
SKIPPED = {"name": "celery", "skip_reason": "Dependency not found on PyPI"}
VULNERABLE = {"name": "pyyaml", "version": "5.3", "vulns": [{"id": "PYSEC-2021-142"}]}


def test_clean_packages_pass():
    passed, lines = verdict([CLEAN], WAIVER_UNTIL + timedelta(days=400))
    assert passed
    assert lines == ["pip-audit: 1 packages, 1 audited, 0 with known vulnerabilities, "
                     "0 not auditable"]  # fmt: skip


def test_a_known_vulnerability_fails_even_under_the_waiver():
    passed, lines = verdict([CLEAN, VULNERABLE, SKIPPED], WAIVER_UNTIL)
    assert not passed
    assert lines[0] == "VULNERABLE pyyaml 5.3: PYSEC-2021-142"


def test_unauditable_packages_pass_only_until_the_waiver_ends():
    assert verdict([CLEAN, SKIPPED], WAIVER_UNTIL)[0]
    passed, lines = verdict([CLEAN, SKIPPED], WAIVER_UNTIL + timedelta(days=1))
    assert not passed
    assert "not auditable here: celery" in lines
    assert lines[-1].startswith("FAIL: the waiver in SECURITY.md ended")

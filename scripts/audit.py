"""`make audit`: pip-audit of the pinned requirements, failing on any known vulnerability.

A package the vulnerability service could not look up is not a pass. While `WAIVER_UNTIL` (see
SECURITY.md, which says why and who renews it) has not passed, such packages are listed and the
audit goes on; after that date an unaudited package fails the build.
"""

import json
import subprocess
import sys
from datetime import date

WAIVER_UNTIL = date(2027, 2, 27)


def verdict(dependencies: list[dict], today: date) -> tuple[bool, list[str]]:
    """(passed, lines to print) for pip-audit's JSON `dependencies`."""
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = [
        f"VULNERABLE {d['name']} {d['version']}: " + ", ".join(v["id"] for v in d["vulns"])
        for d in vulnerable
    ]
    lines.append(
        f"pip-audit: {len(dependencies)} packages, {len(dependencies) - len(skipped)} audited, "
        f"{len(vulnerable)} with known vulnerabilities, {len(skipped)} not auditable"
    )
    if vulnerable:
        return False, lines
    if skipped:
        lines.append("not auditable here: " + ", ".join(d["name"] for d in skipped))
        if today > WAIVER_UNTIL:
            return False, [*lines, f"FAIL: the waiver in SECURITY.md ended on {WAIVER_UNTIL}"]
        lines.append(f"waived until {WAIVER_UNTIL} (SECURITY.md): no vulnerability service here")
    return True, lines


def main() -> int:
    answer = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "-f", "json",
         "-r", "requirements.txt"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        dependencies = json.loads(answer.stdout)["dependencies"]
    except (json.JSONDecodeError, KeyError):
        print(f"pip-audit gave no report:\n{answer.stderr}", file=sys.stderr)
        return 1
    passed, lines = verdict(dependencies, date.today())
    print("\n".join(lines))
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())

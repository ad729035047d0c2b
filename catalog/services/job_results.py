"""What a vendor job did, summed over the JobRun rows it wrote (one per vendor or source)."""

from dataclasses import dataclass, field

from catalog.models import JobRun


@dataclass
class JobResult:
    """`retry_vendors` failed transiently and are worth another try after `retry_after`."""

    runs: list[JobRun] = field(default_factory=list)
    retry_vendors: list[str] = field(default_factory=list)
    retry_after: float | None = None

    @property
    def checked(self) -> int:
        return sum(r.checked for r in self.runs)

    @property
    def changed(self) -> int:
        return sum(r.changed for r in self.runs)

    @property
    def flagged(self) -> int:
        return sum(r.flagged for r in self.runs)

    @property
    def errors(self) -> list[dict[str, object]]:
        return [e for r in self.runs for e in r.errors]

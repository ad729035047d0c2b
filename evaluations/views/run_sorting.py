"""The runs table's column sorts: `?sort=pass_rate` (or `-pass_rate`), read by the page and by
its htmx swap alike; unknown values leave the newest-first order. A run whose value is not
known yet (still running, unpriced) sorts last both ways, as the catalog's unpriced models do."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evaluations.models import EvalRun


@dataclass(frozen=True)
class RunColumn:
    """A sortable column: its header, its key, whether it starts descending (best first)."""

    label: str
    key: str
    value: Callable[[EvalRun], Any]
    descending_first: bool = False
    numeric: bool = True


COLUMNS = [
    RunColumn("Model", "model", lambda r: r.model.name.casefold(), numeric=False),
    RunColumn("Parameters", "parameters", lambda r: r.model.parameters),
    RunColumn("Pass rate", "pass_rate", lambda r: r.pass_rate, descending_first=True),
    RunColumn("Cost / 1,000 cases", "cost", lambda r: r.cost_per_1000_cases),
    RunColumn("Latency p50 / p95", "latency", lambda r: r.latency_p50_ms),
]
BY_KEY = {column.key: column for column in COLUMNS}


@dataclass(frozen=True)
class Header:
    """How one sortable header renders: the sort its button asks for and its aria-sort."""

    label: str
    key: str
    next_sort: str
    aria_sort: str  # "" when the table is not sorted by this column
    numeric: bool


def runs_sorted(runs: list[EvalRun], sort: str) -> tuple[list[EvalRun], str]:
    """The runs in the order `sort` asks, and the sort applied ("" for none)."""
    column = BY_KEY.get(sort.removeprefix("-"))
    if column is None:
        return runs, ""
    known = [run for run in runs if column.value(run) is not None]
    unknown = [run for run in runs if column.value(run) is None]
    known.sort(key=column.value, reverse=sort.startswith("-"))
    return known + unknown, sort


def headers(sort: str) -> dict[str, Header]:
    """Every sortable header by key: a click sorts by it, a second click reverses it."""
    found = {}
    for column in COLUMNS:
        first = f"-{column.key}" if column.descending_first else column.key
        if sort == column.key:
            next_sort, aria = f"-{column.key}", "ascending"
        elif sort == f"-{column.key}":
            next_sort, aria = column.key, "descending"
        else:
            next_sort, aria = first, ""
        found[column.key] = Header(column.label, column.key, next_sort, aria, column.numeric)
    return found

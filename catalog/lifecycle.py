"""A model's lifecycle told in one badge: "deprecates in 3 days → successor", "Deprecated 2 Jan".

Tense follows the date: a future or today's date is announced ("deprecates today", "retires in
12 days"); only a date already passed reads "Deprecated" or "Retired". Shown wherever someone
decides about a model: the catalog list, compare, the approvals queue and the request form.
"""

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TypedDict

from django.utils import timezone

SOON_DAYS = 90  # within this, a date reads as a count of days; beyond it, as a date


@dataclass(frozen=True)
class Lifecycle:
    """What the badge says (`text`), how loud (`level`: "ahead" or "past") and the successor."""

    text: str
    level: str
    exact: str
    successor_name: str = ""
    successor_slug: str = ""
    days_ahead: int | None = None

    @property
    def soon(self) -> bool:
        """Worth a warning before a decision: already past, or within SOON_DAYS."""
        return self.days_ahead is None or self.days_ahead <= SOON_DAYS


class _Successor(TypedDict):
    successor_name: str
    successor_slug: str


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _ahead(verb: str, when: date, today: date) -> str:
    days = (when - today).days
    if days == 0:
        return f"{verb} today"
    if days == 1:
        return f"{verb} tomorrow"
    if days <= SOON_DAYS:
        return f"{verb} in {days} days"
    return f"{verb} {_day(when)}"


def lifecycle(
    deprecation_date: date | None,
    retirement_date: date | None,
    successor_name: str = "",
    successor_slug: str = "",
    today: date | None = None,
) -> Lifecycle | None:
    """The badge for these dates, or None when nothing is announced."""
    today = today or timezone.localdate()
    succ: _Successor = {
        "successor_name": successor_name or "",
        "successor_slug": successor_slug or "",
    }
    if retirement_date and retirement_date < today:
        return Lifecycle(
            f"Retired {_day(retirement_date)}", "past", retirement_date.isoformat(), **succ
        )
    if deprecation_date and deprecation_date < today:
        text = f"Deprecated {_day(deprecation_date)}"
        exact = deprecation_date.isoformat()
        if retirement_date:
            text += f", {_ahead('retires', retirement_date, today)}"
            exact += f"; retirement {retirement_date.isoformat()}"
        return Lifecycle(text, "past", exact, **succ)
    when, verb = (
        (deprecation_date, "deprecates") if deprecation_date else (retirement_date, "retires")
    )
    if when is None:
        return None
    days = (when - today).days
    return Lifecycle(_ahead(verb, when, today), "ahead", when.isoformat(), days_ahead=days, **succ)


def of_model(model: object, today: date | None = None) -> Lifecycle | None:
    """The badge for an AIModel instance (its successor read if set)."""
    successor = getattr(model, "successor", None)
    return lifecycle(
        model.deprecation_date,  # type: ignore[attr-defined]  # an AIModel
        model.retirement_date,  # type: ignore[attr-defined]  # an AIModel
        successor.name if successor else "",
        successor.slug if successor else "",
        today,
    )


def badge_html(badge: Lifecycle | None, detail_prefix: str) -> str:
    """The badge as escaped HTML; the successor links to its page (`detail_prefix` + slug + /)."""
    if badge is None:
        return ""
    text = escape(badge.text)
    if badge.successor_slug:
        link = f"{detail_prefix}{escape(badge.successor_slug)}/"
        text += f' → <a href="{link}">{escape(badge.successor_name)}</a>'
    return (
        f'<span class="lifecycle lifecycle-{badge.level}" title="{escape(badge.exact)}">'
        f"{text}</span>"
    )

"""Formatting for the catalog pages: sizes, token counts, prices, scores."""

from decimal import Decimal
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from catalog.choices import PriceUnit
from catalog.formatting import embeds_only, usd
from catalog.lifecycle import badge_html, of_model

register = template.Library()

_SCALES = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "k"))


def _short(number: int | Decimal) -> str:
    for scale, suffix in _SCALES:
        if number >= scale:
            value = Decimal(number) / scale
            text = f"{value:.2f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
            return f"{text}{suffix}"
    return str(number)


@register.filter
def short_count(number: int | None) -> str:
    """1_760_000_000_000 → "1.76T", 128_000 → "128k"; empty for unknown."""
    return "" if number is None else _short(number)


register.filter("usd", usd)


SIGNIFICANT = 4  # digits a shown price keeps: $1.24999 (imported float noise) reads $1.25


def price_text(amount: Decimal | None) -> str:
    """A price to at most 4 significant digits, as `usd` writes it; "" when unknown."""
    if amount is None or not amount:
        return usd(amount)
    step = Decimal(1).scaleb(amount.adjusted() - SIGNIFICANT + 1)
    return usd(amount.quantize(step))


@register.filter
def price(amount: Decimal | None) -> str:
    """A price to at most 4 significant digits, the exact value on hover when they differ."""
    shown, exact = price_text(amount), usd(amount)
    if shown == exact:
        return shown
    # Not format_html: the catalog table renders up to 300 prices a page (bench_api).
    return mark_safe(f'<span title="{escape(exact)}">{escape(shown)}</span>')  # noqa: S308


@register.filter
def output_price(model: object) -> Decimal | None:
    """The model's output price, or None (shown "—") for an embedding model."""
    if embeds_only(model.output_modalities):  # type: ignore[attr-defined]  # an AIModel
        return None
    return model.output_price_per_mtok  # type: ignore[attr-defined, no-any-return]  # an AIModel


@register.filter
def unit_legend(price_unit: str) -> str:
    """A chart legend's unit: "$/1M" for token prices, "$ per query" for the others."""
    if price_unit == PriceUnit.PER_MTOK:
        return "$/1M"
    return f"$ {PriceUnit(price_unit).label}" if price_unit in PriceUnit.values else "$"


@register.filter
def money(amount: Decimal | None) -> str:
    """A monthly sum in whole cents: $1,234.50."""
    return "" if amount is None else f"${amount:,.2f}"


@register.filter
def score(value: Decimal | None) -> str:
    """An evaluation score without padding zeros: 0.8600 → "0.86", 100.0000 → "100"."""
    return "" if value is None else format(value.normalize(), "f")


@register.filter
def percent(value: Decimal | None) -> str:
    """A pass rate (0–1) as a percent with its decimal when it has one: 0.725 → "72.5 %",
    0.85 → "85 %". One way on every page (issue 28: the same score read 72 %, 72.5 %, 0.725)."""
    if value is None:
        return ""
    return f"{format((Decimal(value) * 100).quantize(Decimal('0.1')).normalize(), 'f')} %"


@register.filter
def eval_score(evaluation: object) -> str:
    """An Evaluation's score as its metric is read: pass rates as percents, others as is."""
    value = evaluation.score  # type: ignore[attr-defined]
    return percent(value) if evaluation.metric == "pass_rate" else score(value)  # type: ignore[attr-defined]


@register.simple_tag
def lifecycle_badge(model: object) -> str:
    """The model's lifecycle badge ("deprecates in 3 days → successor"), or "" if none."""
    return mark_safe(  # noqa: S308 - badge_html escapes every value it interpolates
        badge_html(of_model(model), reverse("catalog:model_detail", args=["-"])[:-2])
    )

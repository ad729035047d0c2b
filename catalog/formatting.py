"""Amounts and model traits as people read them: shared by templates, forms and views."""

from decimal import Decimal


def usd(amount: Decimal | None) -> str:
    """Dollars with at least two decimals and no trailing zeros beyond them; "" when unknown."""
    if amount is None:
        return ""
    text = f"{amount:,.6f}".rstrip("0")
    whole, _, cents = text.partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


def embeds_only(output_modalities: list[str] | None) -> bool:
    """An embedding model has no output price: its output shows "—", whether stored 0 or null."""
    return "embedding" in (output_modalities or [])

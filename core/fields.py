from typing import TypedDict


class DecimalDigits(TypedDict):
    """A DecimalField's precision, typed so a shared one can be splatted into each column."""

    max_digits: int
    decimal_places: int

"""French formatting of numbers and dates (``1 234,5``, ``12,3 %``, ``mars 2026``).

The thousands separator is a no-break space, so a figure never wraps across lines.
"""

from __future__ import annotations

import math
from datetime import date

NBSP = "\u00a0"
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
MONTHS_SHORT = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
]  # fmt: skip


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``1 234,5`` (with ``decimals=1``); ``None`` -> ``–``."""
    if _missing(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", NBSP)


def smart(value: float | int | None) -> str:
    """Integers without decimals, other values with one decimal."""
    if _missing(value):
        return "–"
    return number(value, 0 if float(value).is_integer() else 1)


def percent(ratio: float | None, decimals: int = 0) -> str:
    """``0.123`` -> ``12 %`` (no-break space before the sign, as in French)."""
    if _missing(ratio):
        return "–"
    return f"{number(ratio * 100, decimals)}{NBSP}%"


def euros(value: float | None) -> str:
    if _missing(value):
        return "–"
    return f"{number(value, 0)}{NBSP}€"


def day(value: date | None) -> str:
    """``2026-03-05`` -> ``05/03/2026``."""
    return "–" if value is None else value.strftime("%d/%m/%Y")


def long_day(value: date | None) -> str:
    """``2026-03-05`` -> ``5 mars 2026``."""
    if value is None:
        return "–"
    first = "1er" if value.day == 1 else str(value.day)
    return f"{first} {MONTHS[value.month - 1]} {value.year}"


def month(value: date, short: bool = False) -> str:
    """``2026-03-01`` -> ``mars 2026`` (or ``mars`` abbreviated with ``short``)."""
    names = MONTHS_SHORT if short else MONTHS
    return f"{names[value.month - 1]} {value.year}"

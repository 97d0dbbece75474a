"""Committee periods: a month (``2026-03``), a semester (``2026-S1``) or a year (``2026``).

Pure: parsing, French labels, and the previous period of the same kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sppe_data import fmt

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SEMESTER = re.compile(r"^(\d{4})-S([12])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period code that does not read; the message is French."""


@dataclass(frozen=True)
class Period:
    kind: str  # 'month', 'semester' or 'year'
    year: int
    number: int  # month 1-12, semester 1-2, 1 for a year

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "semester":
            return f"{self.year}-S{self.number}"
        return str(self.year)

    @property
    def start(self) -> date:
        if self.kind == "month":
            return date(self.year, self.number, 1)
        if self.kind == "semester":
            return date(self.year, 1 if self.number == 1 else 7, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if self.kind == "month":
            following = date(self.year + self.number // 12, self.number % 12 + 1, 1)
            return following - timedelta(days=1)
        if self.kind == "semester":
            return date(self.year, 6, 30) if self.number == 1 else date(self.year, 12, 31)
        return date(self.year, 12, 31)

    @property
    def label(self) -> str:
        """``mars 2026``, ``1er semestre 2026``, ``année 2026``."""
        if self.kind == "month":
            return fmt.month(self.start)
        if self.kind == "semester":
            return f"{'1er' if self.number == 1 else '2e'} semestre {self.year}"
        return f"année {self.year}"

    @staticmethod
    def containing(kind: str, day: date) -> Period:
        """The month, semester or year of ``kind`` that holds ``day``."""
        if kind == "month":
            return Period("month", day.year, day.month)
        if kind == "semester":
            return Period("semester", day.year, 1 if day.month <= 6 else 2)
        return Period("year", day.year, 1)

    def previous(self) -> Period:
        if self.kind == "month":
            if self.number == 1:
                return Period("month", self.year - 1, 12)
            return Period("month", self.year, self.number - 1)
        if self.kind == "semester":
            if self.number == 1:
                return Period("semester", self.year - 1, 2)
            return Period("semester", self.year, 1)
        return Period("year", self.year - 1, 1)


def parse_period(code: str) -> Period:
    """``2026-03`` / ``2026-S1`` / ``2026`` -> Period; anything else: PeriodError."""
    text = (code or "").strip()
    if m := _MONTH.match(text):
        month = int(m[2])
        if 1 <= month <= 12:
            return Period("month", int(m[1]), month)
    elif m := _SEMESTER.match(text):
        return Period("semester", int(m[1]), int(m[2]))
    elif m := _YEAR.match(text):
        return Period("year", int(m[1]), 1)
    raise PeriodError(
        f"Période invalide « {text[:40]} » : attendu un mois (2026-03), "
        "un semestre (2026-S1) ou une année (2026)."
    )

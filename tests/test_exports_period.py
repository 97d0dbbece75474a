"""Committee periods: parsing, bounds, French labels, previous period."""

from __future__ import annotations

from datetime import date

import pytest

from sppe_data.period import PeriodError, parse_period


@pytest.mark.parametrize(
    ("code", "start", "end", "label", "previous"),
    [
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31), "mars 2026", "2026-02"),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31), "janvier 2026", "2025-12"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "février 2024", "2024-01"),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "décembre 2026", "2026-11"),
        ("2026-S1", date(2026, 1, 1), date(2026, 6, 30), "1er semestre 2026", "2025-S2"),
        ("2026-s2", date(2026, 7, 1), date(2026, 12, 31), "2e semestre 2026", "2026-S1"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "année 2026", "2025"),
    ],
)
def test_periods(code, start, end, label, previous):
    period = parse_period(code)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period.previous().code == previous


@pytest.mark.parametrize(
    "code",
    ["", "2026-13", "2026-00", "2026-S3", "26-S1", "S1", "2026-1", "'; drop table", "9" * 500],
)
def test_bad_periods_get_a_french_message(code):
    with pytest.raises(PeriodError, match="Période invalide"):
        parse_period(code)

"""indicator_period on the tiny data set; expected figures worked out by hand from
tests/tiny.py. 2026 window: 01/01 -> 31/12 (365 days); today 2026-01-31.
Pôle target shares: idf_hdf 0.22, centre_est 0.24, mediterranee 0.20, atlantique 0.14,
centre_ouest 0.20."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from sppe_data import api
from sppe_data.period import parse_period


def period_rows(code: str) -> pl.DataFrame:
    p = parse_period(code)
    q = p.previous()
    return api.indicator_period(p.start, p.end, q.start, q.end)


def row(df: pl.DataFrame, pole: str, indicator: str) -> dict:
    hit = df.filter((pl.col("pole_code") == pole) & (pl.col("indicator_code") == indicator))
    assert hit.height == 1
    return hit.row(0, named=True)


def test_month_january_2026(tiny_data):
    df = period_rows("2026-01")
    assert df.height == 6 * 6
    mission = row(df, "all", "controles_sensibles")
    # A01, A02 (idf_hdf), A06 (centre_est); A03 is after today, A04 cancelled.
    assert mission["realised_count"] == 3
    # December 2025: A05 only.
    assert mission["previous_realised_count"] == 1
    assert mission["target_count"] == pytest.approx(50 * 31 / 365)  # 4.247
    assert mission["expected_count"] == pytest.approx(50 * 31 / 365)  # January is over
    assert mission["pace_ratio"] == pytest.approx(3 / (50 * 31 / 365))  # 0.706
    assert mission["pace_status"] == "behind"
    idf = row(df, "idf_hdf", "controles_sensibles")
    assert (idf["realised_count"], idf["previous_realised_count"]) == (2, 0)
    assert idf["target_count"] == pytest.approx(50 * 0.22 * 31 / 365)
    ida = row(df, "mediterranee", "suivis_ida")
    assert ida["realised_count"] == 3  # A07, A13, A14; A08 in progress


def test_semester_s1_2026_as_of_january(tiny_data):
    df = period_rows("2026-S1")
    mission = row(df, "all", "controles_sensibles")
    assert mission["realised_count"] == 3
    assert mission["previous_realised_count"] == 1  # 2nd semester 2025: A05
    assert mission["target_count"] == pytest.approx(50 * 181 / 365)  # 01/01-30/06
    assert mission["expected_count"] == pytest.approx(50 * 31 / 365)  # as of 31/01
    assert mission["achieved_share"] == pytest.approx(3 / (50 * 181 / 365))


def test_period_not_started(tiny_data):
    df = period_rows("2026-S2")
    mission = row(df, "all", "controles_sensibles")
    assert mission["realised_count"] == 0  # A03 (01/02) is after today
    assert mission["target_count"] == pytest.approx(50 * 184 / 365)
    assert mission["expected_count"] == pytest.approx(0)
    assert mission["pace_status"] == "not_started"


def test_year_2025(tiny_data):
    df = period_rows("2025")
    mission = row(df, "all", "controles_sensibles")
    assert mission["realised_count"] == 1  # A05
    assert mission["target_count"] == pytest.approx(50)
    assert mission["previous_realised_count"] == 0


def test_period_query_dates(tiny_data):
    # A period given by dates directly (as the bench does): February 2026 is after today.
    df = api.indicator_period(
        date(2026, 2, 1), date(2026, 2, 28), date(2026, 1, 1), date(2026, 1, 31)
    )
    mission = row(df, "all", "controles_sensibles")
    assert (mission["realised_count"], mission["previous_realised_count"]) == (0, 3)

"""Indicator queries on the tiny data set; expected figures worked out by hand from
tests/tiny.py (target shares: idf_hdf 0.22, centre_est 0.24, mediterranee 0.20,
atlantique 0.14, centre_ouest 0.20; 2026 elapsed share 31/365)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from sppe_data import api


def row(df: pl.DataFrame, pole: str, indicator: str) -> dict:
    hit = df.filter((pl.col("pole_code") == pole) & (pl.col("indicator_code") == indicator))
    assert hit.height == 1
    return hit.row(0, named=True)


def test_progress_has_every_pole_and_the_mission(tiny_data):
    df = api.indicator_progress(2026)
    assert df.height == 6 * 6  # (mission + 5 pôles) x 6 indicators
    assert df["pole_code"].unique().sort().to_list() == sorted(
        ["all", "idf_hdf", "centre_est", "mediterranee", "atlantique", "centre_ouest"]
    )


def test_controles_sensibles_2026(tiny_data):
    df = api.indicator_progress(2026)
    # idf_hdf: A01 and A02 (today included); A03 after today, A04 cancelled.
    idf = row(df, "idf_hdf", "controles_sensibles")
    assert idf["realised_count"] == 2
    assert idf["target_count"] == pytest.approx(11.0)  # 50 x 0.22
    assert idf["expected_count"] == pytest.approx(11.0 * 31 / 365)
    assert idf["pace_ratio"] == pytest.approx(2 / (11.0 * 31 / 365))
    assert idf["pace_status"] == "on_track"
    assert idf["achieved_share"] == pytest.approx(2 / 11)
    assert idf["forecast_count"] == pytest.approx(2 * 365 / 31)
    # centre_est: A06 only (A05 is dated 2025-12-31); 1 / 1.019 = 98 % of pace.
    ce = row(df, "centre_est", "controles_sensibles")
    assert ce["realised_count"] == 1
    assert ce["pace_ratio"] == pytest.approx(1 / (12.0 * 31 / 365))
    assert ce["pace_status"] == "on_track"
    # The mission: 3 of an expected 4.25 -> 71 % -> behind.
    mission = row(df, "all", "controles_sensibles")
    assert mission["realised_count"] == 3
    assert mission["target_count"] == pytest.approx(50.0)
    assert mission["pace_status"] == "behind"


def test_watch_status_and_kinds_outside_indicators(tiny_data):
    df = api.indicator_progress(2026)
    # mediterranee suivis IDA: A07, A13, A14 (A08 in progress, A09 is not targeted).
    med = row(df, "mediterranee", "suivis_ida")
    assert med["realised_count"] == 3
    assert med["pace_ratio"] == pytest.approx(3 / (40.0 * 31 / 365))  # 0.883
    assert med["pace_status"] == "watch"


def test_pole_with_no_activity_has_zero_and_is_behind(tiny_data):
    df = api.indicator_progress(2026)
    co = df.filter(pl.col("pole_code") == "centre_ouest")
    assert co.height == 6
    assert co["realised_count"].to_list() == [0] * 6
    assert set(co["pace_status"]) == {"behind"}
    assert co["forecast_count"].to_list() == [0.0] * 6


def test_planned_activity_is_not_realised(tiny_data):
    df = api.indicator_progress(2026)
    assert row(df, "atlantique", "controles_multi_dep")["realised_count"] == 0


def test_mission_totals_are_the_sum_of_the_poles(tiny_data):
    df = api.indicator_progress(2026)
    by_pole = (
        df.filter(pl.col("pole_code") != "all")
        .group_by("indicator_code")
        .agg(pl.col("realised_count").sum(), pl.col("target_count").sum())
    )
    mission = df.filter(pl.col("pole_code") == "all")
    joined = mission.join(by_pole, on="indicator_code", suffix="_poles")
    assert (joined["realised_count"] == joined["realised_count_poles"]).all()
    assert joined["target_count"].to_list() == pytest.approx(joined["target_count_poles"].to_list())
    expected_targets = {
        "audits_terrain": 30,
        "controles_appui_plans": 250,
        "controles_sensibles": 50,
        "controles_multi_dep": 150,
        "etudes_consulting": 150,
        "suivis_ida": 200,
    }
    got = dict(mission.select("indicator_code", "target_count").iter_rows())
    assert got == pytest.approx(expected_targets)


def test_year_boundary_previous_year_is_complete(tiny_data):
    df = api.indicator_progress(2025)
    ce = row(df, "centre_est", "controles_sensibles")
    assert ce["realised_count"] == 1  # A05, 2025-12-31
    assert ce["elapsed_share"] == pytest.approx(1.0)
    assert ce["expected_count"] == pytest.approx(12.0)
    assert row(df, "idf_hdf", "controles_sensibles")["realised_count"] == 0


def test_future_year_not_started(tiny_data):
    df = api.indicator_progress(2027)
    assert set(df["pace_status"]) == {"not_started"}
    assert df["realised_count"].sum() == 0
    assert df["forecast_count"].null_count() == df.height


def test_partial_year_2024_uses_its_operating_window(tiny_data, monkeypatch):
    # 2024 targets count from 1 July: on 2024-09-30, 92 of 184 days are elapsed.
    monkeypatch.setenv("SPPE_TODAY", "2024-09-30")
    df = api.indicator_progress(2024)
    mission = row(df, "all", "suivis_ida")
    assert mission["target_count"] == pytest.approx(100.0)
    assert mission["elapsed_share"] == pytest.approx(92 / 184)
    assert mission["expected_count"] == pytest.approx(50.0)


def test_monthly_trajectory_one_pole(tiny_data):
    df = api.indicator_monthly(2026, "controles_sensibles", "idf_hdf")
    assert df.height == 12
    jan = df.row(0, named=True)
    assert jan["month_start"] == date(2026, 1, 1)
    assert jan["realised_count"] == 2
    assert jan["cumulative_realised_count"] == 2
    assert jan["target_trajectory_count"] == pytest.approx(11.0 * 31 / 365)
    # Months after today have no realised figure, only the trajectory.
    assert df["realised_count"][1:].null_count() == 11
    assert df["target_trajectory_count"][1] == pytest.approx(11.0 * 59 / 365)
    assert df["target_trajectory_count"][11] == pytest.approx(11.0)


def test_monthly_trajectory_all_poles_and_mid_month_today(tiny_data, monkeypatch):
    monkeypatch.setenv("SPPE_TODAY", "2026-02-15")
    df = api.indicator_monthly(2026, "controles_sensibles", "all")
    # January: A01, A02, A06; February up to the 15th: A03 (1 February).
    assert df["realised_count"][0] == 3
    assert df["realised_count"][1] == 1
    assert df["cumulative_realised_count"][1] == 4
    assert df["target_trajectory_count"][11] == pytest.approx(50.0)


def test_empty_period_gives_zero_not_missing_rows(tiny_data, monkeypatch):
    # June 2026 for the Atlantique pôle: no activity at all.
    monkeypatch.setenv("SPPE_TODAY", "2026-06-30")
    df = api.indicator_monthly(2026, "etudes_consulting", "atlantique")
    assert df["realised_count"].to_list()[:6] == [0] * 6
    assert df["cumulative_realised_count"][5] == 0

"""Public read functions used by the pages: each runs one named query through
``run_sql`` and is cached by its parameters, "today" and the data version (so an
import or a pinned date is seen at once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from sppe_data import clock, reference
from sppe_data.db import current_version, data_problems, run_sql
from sppe_data.extracts import read_manifest
from sppe_data.settings import get_settings

ALL_POLES = "all"


@dataclass(frozen=True)
class DataInfo:
    data_date: date | None
    today: date
    source_label: str
    problems: tuple[str, ...]


def data_info() -> DataInfo:
    manifest = read_manifest(get_settings().extracts_dir)
    return DataInfo(
        data_date=manifest.data_date,
        today=clock.today(),
        source_label=manifest.source_label,
        problems=tuple(data_problems()),
    )


@st.cache_data(show_spinner=False, max_entries=256)
def _indicator_progress(year: int, today: date, version: str) -> pl.DataFrame:
    return run_sql("indicator_progress", year=year, today=today)


def indicator_progress(year: int) -> pl.DataFrame:
    """Grain: (pôle or 'all') x indicator; see queries/indicator_progress.sql."""
    return _indicator_progress(year, clock.today(), current_version())


@st.cache_data(show_spinner=False, max_entries=256)
def _indicator_monthly(
    year: int, indicator_code: str, pole_code: str, today: date, version: str
) -> pl.DataFrame:
    return run_sql(
        "indicator_monthly",
        year=year,
        today=today,
        indicator_code=indicator_code,
        pole_code=pole_code,
    )


def indicator_monthly(year: int, indicator_code: str, pole_code: str) -> pl.DataFrame:
    """Grain: month (12 rows); see queries/indicator_monthly.sql."""
    return _indicator_monthly(year, indicator_code, pole_code, clock.today(), current_version())


def target_years() -> list[int]:
    """The years that have targets, most recent first."""
    return sorted(set(reference.targets()["year"].to_list()), reverse=True)


def default_year() -> int:
    """The year of "today" when it has targets, else the latest year with targets."""
    years = target_years()
    current = clock.today().year
    return current if current in years else years[0]


def pole_options() -> dict[str, str]:
    """pole_code -> label, with 'all' first."""
    poles = reference.poles().sort("sort_order")
    return {
        ALL_POLES: "Tous les pôles",
        **dict(poles.select("pole_code", "pole_label").iter_rows()),
    }


def indicator_options() -> dict[str, str]:
    inds = reference.indicators().sort("sort_order")
    return dict(inds.select("indicator_code", "indicator_label").iter_rows())


def extract_status() -> pl.DataFrame:
    """Grain: one row per extract, French columns (for the Données page)."""
    from sppe_data.extracts import EXTRACTS

    counts = dict(run_sql("extract_row_counts").iter_rows())
    return pl.DataFrame(
        {
            "Extraction": [e.label for e in EXTRACTS.values()],
            "Dossier": [f"extracts/{e.name}/" for e in EXTRACTS.values()],
            "Lignes": [counts.get(e.name, 0) for e in EXTRACTS.values()],
        }
    )


def pole_reference() -> pl.DataFrame:
    """Grain: one row per pôle, French columns."""
    df = run_sql("pole_portfolio")
    return df.select(
        pl.col("pole_label").alias("Pôle"),
        pl.col("pivot_note").alias("Caf pivot"),
        pl.col("region_names").alias("Régions"),
        pl.col("departement_count").alias("Départements"),
        pl.col("population_count").alias("Population"),
        (pl.col("target_share") * 100).round(0).cast(pl.Int64).alias("Part des cibles (%)"),
    )


def target_reference() -> pl.DataFrame:
    """Grain: year x indicator, French columns."""
    df = run_sql("targets_by_year")
    return df.select(
        pl.col("year").alias("Année"),
        pl.col("indicator_label").alias("Indicateur"),
        pl.col("target_count").alias("Cible (mission)"),
        pl.col("counted_from").dt.strftime("%d/%m/%Y").alias("Période d'activité du"),
        pl.col("counted_to").dt.strftime("%d/%m/%Y").alias("au"),
    )


@st.cache_data(show_spinner=False, max_entries=256)
def _indicator_period(
    start: date, end: date, previous_start: date, previous_end: date, today: date, version: str
) -> pl.DataFrame:
    return run_sql(
        "indicator_period",
        period_start=start,
        period_end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        today=today,
    )


def indicator_period(start: date, end: date, previous_start: date, previous_end: date):
    """Grain: (pôle or 'all') x indicator over one period; see queries/indicator_period.sql."""
    return _indicator_period(
        start, end, previous_start, previous_end, clock.today(), current_version()
    )

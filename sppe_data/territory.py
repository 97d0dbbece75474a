"""Public read functions of the map pages (Carte des pôles, Projets), cached like
those of ``sppe_data.api``: by their parameters, "today" and the data version."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from sppe_data import clock
from sppe_data.coverage import children_under3
from sppe_data.db import current_version, run_sql


@st.cache_data(show_spinner=False, max_entries=64)
def _departement_map(year: int, pole_code: str, today: date, version: str) -> pl.DataFrame:
    frame = run_sql("departement_map", year=year, pole_code=pole_code, today=today)
    return frame.join(children_under3(), on="dep_code", how="left").with_columns(
        (pl.col("activity_count") / pl.col("children_under3_count") * 10_000).alias(
            "activity_per_10k_children"
        )
    )


def departement_map(year: int, pole_code: str) -> pl.DataFrame:
    """Grain: one row per département (101); see queries/departement_map.sql, plus
    children_under3_count (estimate, see sppe_data.coverage) and
    activity_per_10k_children (done activities per 10,000 children under 3)."""
    return _departement_map(year, pole_code, clock.today(), current_version())


@st.cache_data(show_spinner=False, max_entries=64)
def _project_pipeline(pole_code: str, today: date, version: str) -> pl.DataFrame:
    return run_sql("project_pipeline", pole_code=pole_code, today=today)


def project_pipeline(pole_code: str) -> pl.DataFrame:
    """Grain: one row per project; see queries/project_pipeline.sql."""
    return _project_pipeline(pole_code, clock.today(), current_version())

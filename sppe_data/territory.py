"""Public read functions of the map pages (Carte des pôles, Projets): plain functions,
parameters in, polars out, with "today" from ``sppe_data.clock``. Nothing is cached
here: the pages read them through ``ui.cache``, like those of ``sppe_data.api``."""

from __future__ import annotations

import polars as pl

from sppe_data import clock
from sppe_data.coverage import children_under3
from sppe_data.db import run_sql


def departement_map(year: int, pole_code: str, coverage_year: int | None = None) -> pl.DataFrame:
    """Grain: one row per département (101). Columns: dep_code, dep_name, region_name,
    population_count, caf_name, pole_code, pole_label, is_overseas, is_pivot,
    activity_count (done in ``year`` up to today, by ``pole_code`` or every pôle),
    coverage_year (``coverage_year`` when imported, else the latest not after ``year``),
    coverage_global_pct, coverage_eaje_pct (queries/departement_map.sql),
    plus children_under3_count (estimate, see sppe_data.coverage) and
    activity_per_10k_children (done activities per 10,000 children under 3)."""
    frame = run_sql(
        "departement_map",
        year=year,
        pole_code=pole_code,
        coverage_year=coverage_year,
        today=clock.today(),
    )
    return frame.join(children_under3(), on="dep_code", how="left").with_columns(
        (pl.col("activity_count") / pl.col("children_under3_count") * 10_000).alias(
            "activity_per_10k_children"
        )
    )


def project_pipeline(pole_code: str) -> pl.DataFrame:
    """Grain: one row per place-creation project. Columns: those of the projects extract,
    plus dep_name, pole_label, pole_short_label, is_late (expected opening before today,
    neither opened nor abandoned), places_gap_count (queries/project_pipeline.sql)."""
    return run_sql("project_pipeline", pole_code=pole_code, today=clock.today())


def coverage_years() -> pl.DataFrame:
    """Grain: one year of the coverage layer, most recent first. Columns: year,
    dep_count (queries/coverage_years.sql)."""
    return run_sql("coverage_years")

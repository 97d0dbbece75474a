"""Public read functions of the synthesis pages and the deck: plain functions, parameters
in, polars out, each running one named query through ``run_sql`` with "today" from
``sppe_data.clock``. Nothing is cached here: the pages read them through ``ui.cache``
(keyed by parameters, today and the versions of the tables read); the command line and
the deck call them as they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from sppe_data import clock, reference
from sppe_data.db import data_problems, run_sql
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


def indicator_progress(year: int) -> pl.DataFrame:
    """Progress of the targeted indicators over ``year``, as of today.

    Grain: (pôle or 'all' for the mission) x indicator. Columns: pole_code, pole_label,
    pole_short_label, pole_sort, indicator_code, indicator_label, short_label,
    indicator_sort, realised_count, national_scope_count (of realised_count, the
    national Cepaje's overseas engineering: mission rows only), target_count,
    elapsed_share, expected_count, achieved_share, pace_ratio, pace_status, forecast_count
    (queries/indicator_progress.sql).
    """
    return run_sql("indicator_progress", year=year, today=clock.today())


def indicator_monthly(year: int, indicator_code: str, pole_code: str) -> pl.DataFrame:
    """One indicator month by month over ``year``, for one pôle or 'all'.

    Grain: month (12 rows). Columns: month_start, month_end, realised_count,
    cumulative_realised_count (null after today), target_trajectory_count
    (queries/indicator_monthly.sql).
    """
    return run_sql(
        "indicator_monthly",
        year=year,
        today=clock.today(),
        indicator_code=indicator_code,
        pole_code=pole_code,
    )


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
    """Grain: one row per extract. French columns (Données page): Extraction, Dossier,
    Lignes (rows in the view, journal entries included)."""
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
    """Grain: one row per pôle (reference only). French columns: Pôle, Caf pivot,
    Régions, Départements, Population, Part des cibles (%)."""
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
    """Grain: year x indicator (reference only). French columns: Année, Indicateur,
    Cible (mission), Période d'activité du, au."""
    df = run_sql("targets_by_year")
    return df.select(
        pl.col("year").alias("Année"),
        pl.col("indicator_label").alias("Indicateur"),
        pl.col("target_count").alias("Cible (mission)"),
        pl.col("counted_from").dt.strftime("%d/%m/%Y").alias("Période d'activité du"),
        pl.col("counted_to").dt.strftime("%d/%m/%Y").alias("au"),
    )


def indicator_period(
    start: date, end: date, previous_start: date, previous_end: date
) -> pl.DataFrame:
    """Progress of the targeted indicators over one committee period (month, semester or
    year), as of today, with the previous period's realised.

    Grain: (pôle or 'all' for the mission) x indicator. Columns: pole_code, pole_label,
    pole_short_label, pole_sort, indicator_code, indicator_label, short_label,
    indicator_sort, realised_count, previous_realised_count, target_count, expected_count,
    achieved_share, pace_ratio, pace_status (queries/indicator_period.sql).
    """
    return run_sql(
        "indicator_period",
        period_start=start,
        period_end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        today=clock.today(),
    )

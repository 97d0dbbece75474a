"""Tables and chart of the page Ressources: the letter's staffing plan against the
positions, by pôle and job, by funding line, and the activity per FTE.

Pure functions: query rows in, DataFrame (or figure) out, no I/O. Every table keeps its
numbers and dates typed: the page formats them (``column_config``), the downloads keep
them as numbers and dates.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import steering as charts
from sppe_data.steering import NOT_GIVEN, rules

SITUATIONS = {"in_post": "En poste", "to_come": "Arrivée prévue", "vacant": "Vacant"}


def _labels(column: str, group: str) -> pl.Expr:
    """French labels of a code column (the code itself when unknown, 'Non renseigné'
    when missing)."""
    return pl.col(column).cast(pl.String).replace(rules()["labels"][group]).fill_null(NOT_GIVEN)


def pole_job(rows: pl.DataFrame) -> pl.DataFrame:
    """The plan against the positions held, one row per pôle and job
    (``steering.staffing_by_pole_job`` rows, in their order)."""
    return rows.select(
        pl.col("pole_short_label").fill_null(NOT_GIVEN).alias("Pôle"),
        _labels("job", "jobs").alias("Métier"),
        _labels("funding_line", "funding_lines").alias("Ligne de financement"),
        pl.col("planned_people_count").cast(pl.Int64).alias("Personnes prévues (plan)"),
        pl.col("planned_fte").cast(pl.Float64).alias("ETP du plan"),
        pl.col("positions_fte").cast(pl.Float64).alias("ETP prévus (postes)"),
        pl.col("held_people_count").cast(pl.Int64).alias("Personnes en poste"),
        pl.col("held_fte").cast(pl.Float64).alias("ETP en poste"),
        pl.col("gap_fte").cast(pl.Float64).alias("Écart au plan (ETP en poste)"),
    )


def activity_per_fte(per_pole: pl.DataFrame) -> pl.DataFrame:
    """Each pôle's done activities over its FTE held (``steering.staffing_activity_per_fte``
    rows): empty per-FTE cell when the pôle holds no FTE; the ratio to one decimal."""
    return per_pole.select(
        pl.col("pole_short_label").alias("Pôle"),
        pl.col("planned_fte").cast(pl.Float64).alias("ETP du plan"),
        pl.col("held_fte").cast(pl.Float64).alias("ETP en poste"),
        pl.col("done_count").cast(pl.Int64).alias("Activités réalisées"),
        pl.col("done_per_fte").cast(pl.Float64).round(1).alias("Activités par ETP"),
    )


def activity_per_fte_chart(per_pole: pl.DataFrame, subtitle: str) -> go.Figure:
    """Bars of the activities per FTE held, one per pôle (none for a pôle without FTE)."""
    return charts.grouped_bars(
        per_pole["pole_short_label"].to_list(),
        {"Activités par ETP": [v or 0.0 for v in per_pole["done_per_fte"].to_list()]},
        "Activités réalisées par ETP en poste",
        subtitle,
        "Activités par ETP",
    )


def fte_by_pole_chart(staff: pl.DataFrame, subtitle: str) -> go.Figure:
    """Stacked bars of each pôle's FTE in post, to come and vacant
    (``steering.staff_by_pole`` rows)."""
    return charts.stacked_bars(
        staff["pole_short_label"].to_list(),
        {
            "ETP en poste": staff["fte_in_post"].to_list(),
            "ETP à venir": staff["fte_to_come"].to_list(),
            "ETP vacants": staff["fte_vacant"].to_list(),
        },
        "ETP par pôle : en poste, à venir, vacants",
        subtitle,
        "ETP",
        colours=["#0072B2", "#56B4E9", "#D55E00"],
    )


def staff_by_pole(staff: pl.DataFrame, people_min: int, people_max: int) -> pl.DataFrame:
    """Positions and FTE of each pôle (``steering.staff_by_pole`` rows): the table behind
    the chart of FTE in post, to come and vacant."""
    in_range = pl.col("positions_count").is_between(people_min, people_max)
    return staff.select(
        pl.col("pole_short_label").alias("Pôle"),
        pl.col("positions_count").cast(pl.Int64).alias("Postes"),
        pl.col("people_in_post_count").cast(pl.Int64).alias("Personnes en poste"),
        pl.col("fte_positions").cast(pl.Float64).alias("ETP prévus (postes)"),
        pl.col("fte_in_post").cast(pl.Float64).alias("ETP en poste"),
        pl.col("fte_vacant").cast(pl.Float64).alias("ETP vacants"),
        pl.col("fte_to_come").cast(pl.Float64).alias("ETP à venir"),
        pl.when(in_range)
        .then(pl.lit("Oui"))
        .otherwise(pl.lit("Non"))
        .alias(f"Effectif conforme ({people_min} à {people_max})"),
    )


def funding_lines(positions: pl.DataFrame, plan: pl.DataFrame) -> pl.DataFrame:
    """The plan's FTE by funding line (``steering.staffing_plan_rows``) against the
    positions (``steering.staff_positions`` rows), the lines of the labels' order, then a
    total row."""
    lines = list(rules()["labels"]["funding_lines"])
    planned = plan.group_by("funding_line").agg(pl.col("planned_fte").sum())
    held = positions.group_by("funding_line").agg(
        pl.col("fte").sum().alias("positions_fte"),
        pl.col("fte").filter(pl.col("state") == "in_post").sum().alias("held_fte"),
    )
    order = pl.DataFrame({"funding_line": lines, "line_sort": range(len(lines))})
    by_line = (
        order.join(planned, on="funding_line", how="full", coalesce=True)
        .join(held, on="funding_line", how="full", coalesce=True)
        .sort("line_sort", "funding_line", nulls_last=True)
        .select(
            _labels("funding_line", "funding_lines").alias("Ligne de financement"),
            pl.col("planned_fte").fill_null(0.0).alias("ETP du plan"),
            pl.col("positions_fte").fill_null(0.0).alias("ETP prévus (postes)"),
            pl.col("held_fte").fill_null(0.0).alias("ETP en poste"),
        )
    )
    total = by_line.select(
        pl.lit("Total").alias("Ligne de financement"),
        pl.exclude("Ligne de financement").sum(),
    )
    return (
        pl.concat([by_line, total])
        .with_columns(pl.exclude("Ligne de financement").cast(pl.Float64))
        .with_columns(
            (pl.col("ETP prévus (postes)") - pl.col("ETP du plan")).alias("Écart au plan (postes)")
        )
    )


def positions(rows: pl.DataFrame) -> pl.DataFrame:
    """Every position (``steering.staff_positions`` rows): typed FTE and start date."""
    return rows.select(
        pl.col("pole_short_label").fill_null(NOT_GIVEN).alias("Pôle"),
        _labels("job", "jobs").alias("Métier"),
        _labels("funding_line", "funding_lines").alias("Ligne de financement"),
        pl.col("fte").cast(pl.Float64).alias("ETP"),
        pl.col("start_on").cast(pl.Date).alias("Prise de poste"),
        pl.col("state").replace_strict(SITUATIONS, default=NOT_GIVEN).alias("Situation"),
    )

"""Builders of the strategic committee (COPIL) view of a semester: the matrix of the
pôles, what moved since the previous semester, the largest gaps and the factual
summary. Pure functions over ``copil_semester`` rows (see queries/copil_semester.sql),
importable by any export (deck) without Streamlit.
"""

from __future__ import annotations

import polars as pl

from charts.tables import progress_matrix, status_labels
from sppe_data import fmt
from sppe_data.labels import PACE_STATUS


def _plural(n: int, one: str, many: str) -> str:
    return f"{fmt.number(n)} {one if n <= 1 else many}"


def mission_rows(copil: pl.DataFrame) -> pl.DataFrame:
    return copil.filter(pl.col("pole_code") == "all").sort("indicator_sort")


def as_progress(copil: pl.DataFrame) -> pl.DataFrame:
    """The rows in the shape of indicator_progress (realised = since the start of the
    target's window; achieved share and forecast computed by the query)."""
    return copil.with_columns(pl.col("year_realised_count").alias("realised_count"))


def copil_matrix(copil: pl.DataFrame) -> pl.DataFrame:
    """Pôles in rows; per indicator its status, realised since 1 January and annual
    target (typed columns, see ``charts.tables.progress_matrix``)."""
    return progress_matrix(as_progress(copil))


def copil_moves(copil: pl.DataFrame) -> pl.DataFrame:
    """What moved: for the mission, each indicator in this semester and the previous
    (integers; « Évolution » = semester − previous)."""
    return mission_rows(copil).select(
        pl.col("indicator_label").alias("Indicateur"),
        pl.col("semester_realised_count").cast(pl.Int64).alias("Semestre"),
        pl.col("previous_realised_count").cast(pl.Int64).alias("Semestre précédent"),
        pl.col("change_count").cast(pl.Int64).alias("Évolution"),
    )


def _signed(n: int) -> str:
    return ("+" if n > 0 else "") + fmt.number(n)


def largest_gaps(copil: pl.DataFrame, limit: int = 5) -> pl.DataFrame:
    """The pôle x indicator pairs furthest behind their expected-to-date (gap > 0)."""
    return (
        copil.filter((pl.col("pole_code") != "all") & (pl.col("gap_count") > 0))
        .sort(["gap_count", "pole_sort", "indicator_sort"], descending=[True, False, False])
        .head(limit)
        .select(
            pl.col("pole_short_label").alias("Pôle"),
            pl.col("indicator_label").alias("Indicateur"),
            pl.col("year_realised_count").cast(pl.Int64).alias("Réalisé"),
            pl.col("expected_count").cast(pl.Float64).round(1).alias("Attendu à date"),
            pl.col("gap_count").cast(pl.Float64).round(1).alias("Écart à l'attendu"),
            status_labels("pace_status").alias("Statut"),
        )
    )


def factual_summary(copil: pl.DataFrame, previous_label: str) -> list[str]:
    """Sentences written from the figures only (templates filled with numbers): the
    statuses of the mission, the change since the previous semester, the largest gap
    of the mission and the pôles with the most indicators behind."""
    mission = mission_rows(copil)
    if mission.is_empty():
        return []
    as_of = mission["as_of"][0]
    counts = {s: mission.filter(pl.col("pace_status") == s).height for s in PACE_STATUS}
    n = mission.height
    sentences = []
    if counts["not_started"] == n:
        sentences.append(f"Au {fmt.long_day(as_of)}, la période d'activité n'a pas commencé.")
    else:
        sentences.append(
            f"Au {fmt.long_day(as_of)}, pour la mission, "
            f"{_plural(counts['on_track'], 'indicateur', 'indicateurs')} sur {n} "
            f"{'est' if counts['on_track'] <= 1 else 'sont'} dans la trajectoire, "
            f"{fmt.number(counts['watch'])} à surveiller et "
            f"{fmt.number(counts['behind'])} en retard."
        )
    now = int(mission["semester_realised_count"].sum())
    before = int(mission["previous_realised_count"].sum())
    sentences.append(
        f"Les six indicateurs cumulent {_plural(now, 'réalisation', 'réalisations')} sur le "
        f"semestre, contre {fmt.number(before)} au {previous_label} ({_signed(now - before)})."
    )
    behind = mission.filter(pl.col("gap_count") > 0).sort("gap_count", descending=True)
    if behind.height:
        r = behind.row(0, named=True)
        sentences.append(
            f"Le plus grand écart de la mission concerne « {r['indicator_label']} » : "
            f"{fmt.number(r['year_realised_count'])} réalisés pour "
            f"{fmt.number(r['expected_count'], 1)} attendus à date "
            f"(écart {fmt.number(r['gap_count'], 1)}, cible annuelle "
            f"{fmt.smart(round(r['target_count'], 1))})."
        )
    poles = (
        copil.filter(pl.col("pole_code") != "all")
        .group_by("pole_short_label", "pole_sort")
        .agg((pl.col("pace_status") == "behind").sum().alias("behind_count"))
        .sort("pole_sort")
    )
    worst = int(poles["behind_count"].max() or 0) if poles.height else 0
    if worst > 0:
        names = poles.filter(pl.col("behind_count") == worst)["pole_short_label"].to_list()
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
        sentences.append(
            f"{'Pôle' if len(names) == 1 else 'Pôles'} avec le plus d'indicateurs en retard : "
            f"{who} ({fmt.number(worst)} sur {n})."
        )
    return sentences

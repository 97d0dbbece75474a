"""Display tables built from query results: French headers and French numbers.

Pure functions: DataFrame in, DataFrame out (strings ready to show or to paste).
"""

from __future__ import annotations

import polars as pl

from sppe_data import fmt
from sppe_data.labels import PACE_STATUS


def progress_detail(progress: pl.DataFrame) -> pl.DataFrame:
    """Long table of indicator_progress rows: one row per (pôle or mission) x indicator."""
    rows = [
        {
            "Pôle": r["pole_label"],
            "Indicateur": r["indicator_label"],
            "Réalisé": fmt.number(r["realised_count"]),
            "Cible annuelle": fmt.smart(round(r["target_count"], 1)),
            "Atteint": fmt.percent(r["achieved_share"], 1),
            "Attendu à date": fmt.number(r["expected_count"], 1),
            "Rythme": fmt.percent(r["pace_ratio"]),
            "Statut": PACE_STATUS[r["pace_status"]].label,
            "Prévision fin de période": fmt.number(r["forecast_count"]),
        }
        for r in progress.iter_rows(named=True)
    ]
    return pl.DataFrame(rows)


def progress_matrix(progress: pl.DataFrame) -> pl.DataFrame:
    """Pôles (mission first) in rows, indicators in columns; each cell reads
    ``✔ 187 / 250`` : status symbol, realised, target."""

    def cell(r: dict) -> str:
        status = PACE_STATUS[r["pace_status"]]
        target = fmt.smart(round(r["target_count"], 1))
        return f"{status.symbol} {fmt.number(r['realised_count'])} / {target}"

    ordered = progress.sort("pole_sort", "indicator_sort")
    columns = ordered.unique("indicator_code", maintain_order=True)["short_label"].to_list()
    out: dict[str, list[str]] = {"Pôle": []}
    for name in columns:
        out[name] = []
    for (pole_short_label,), group in ordered.group_by("pole_short_label", maintain_order=True):
        out["Pôle"].append(pole_short_label)
        for r in group.iter_rows(named=True):
            out[r["short_label"]].append(cell(r))
    return pl.DataFrame(out)


def monthly_detail(monthly: pl.DataFrame) -> pl.DataFrame:
    """The table behind the cumulative chart."""
    return pl.DataFrame(
        [
            {
                "Mois": fmt.month(r["month_start"]),
                "Réalisé dans le mois": fmt.number(r["realised_count"]),
                "Réalisé (cumul)": fmt.number(r["cumulative_realised_count"]),
                "Trajectoire cible (cumul)": fmt.number(r["target_trajectory_count"], 1),
            }
            for r in monthly.iter_rows(named=True)
        ]
    )

"""Display tables built from query results: French headers, typed columns.

Pure functions: DataFrame in, DataFrame out. Numbers stay numbers and dates stay dates
(percentages as a share, 0.12 for 12 %): the page formats them in French
(``ui.steering.column_formats``), the downloads keep them typed, the deck writes them
as French text (``exports.deck``).
"""

from __future__ import annotations

import json

import polars as pl

from sppe_data.labels import PACE_STATUS

#: Suffixes of the matrix columns of one indicator: its status, realised and target.
STATUS, REALISED, TARGET = " · Statut", " · Réalisé", " · Cible annuelle"

_STATUS_LABELS = {code: f"{s.symbol} {s.label}" for code, s in PACE_STATUS.items()}


def status_labels(column: str) -> pl.Expr:
    """« ✔ Dans la trajectoire » for a pace status code (symbol and French label)."""
    return pl.col(column).replace_strict(_STATUS_LABELS, default=None, return_dtype=pl.String)


def progress_detail(progress: pl.DataFrame) -> pl.DataFrame:
    """Long table of indicator_progress rows: one row per (pôle or mission) x indicator;
    shares (« Atteint », « Rythme ») as a share of 1."""
    return progress.select(
        pl.col("pole_label").alias("Pôle"),
        pl.col("indicator_label").alias("Indicateur"),
        pl.col("realised_count").cast(pl.Int64).alias("Réalisé"),
        pl.col("target_count").cast(pl.Float64).round(1).alias("Cible annuelle"),
        pl.col("achieved_share").cast(pl.Float64).round(3).alias("Atteint"),
        pl.col("expected_count").cast(pl.Float64).round(1).alias("Attendu à date"),
        pl.col("pace_ratio").cast(pl.Float64).round(2).alias("Rythme"),
        status_labels("pace_status").alias("Statut"),
        pl.col("forecast_count").cast(pl.Float64).round(0).cast(pl.Int64)
        .alias("Prévision fin de période"),
    )  # fmt: skip


def progress_matrix(progress: pl.DataFrame) -> pl.DataFrame:
    """Pôles (mission first) in rows; for each indicator (short label ``S``), three
    columns: ``S · Statut`` (« ✔ Dans la trajectoire »), ``S · Réalisé`` (integer) and
    ``S · Cible annuelle`` (the pôle's target, one decimal)."""
    ordered = progress.sort("pole_sort", "indicator_sort")
    indicators = ordered.unique("indicator_code", maintain_order=True)["short_label"].to_list()
    poles = ordered.unique("pole_short_label", maintain_order=True)
    out = poles.select(pl.col("pole_short_label").alias("Pôle"))
    cells = ordered.select(
        "pole_short_label",
        "short_label",
        status_labels("pace_status").alias("status"),
        pl.col("realised_count").cast(pl.Int64).alias("realised"),
        pl.col("target_count").cast(pl.Float64).round(1).alias("target"),
    )
    for name in indicators:
        mine = cells.filter(pl.col("short_label") == name).select(
            pl.col("pole_short_label").alias("Pôle"),
            pl.col("status").alias(name + STATUS),
            pl.col("realised").alias(name + REALISED),
            pl.col("target").alias(name + TARGET),
        )
        out = out.join(mine, on="Pôle", how="left", maintain_order="left")
    return out


def matrix_indicators(matrix: pl.DataFrame) -> list[str]:
    """The indicators (short labels) of a ``progress_matrix``, in column order."""
    return [c.removesuffix(STATUS) for c in matrix.columns if c.endswith(STATUS)]


def monthly_detail(monthly: pl.DataFrame) -> pl.DataFrame:
    """The table behind the cumulative chart: one row per month (its first day)."""
    return monthly.select(
        pl.col("month_start").alias("Mois"),
        pl.col("realised_count").cast(pl.Int64).alias("Réalisé dans le mois"),
        pl.col("cumulative_realised_count").cast(pl.Int64).alias("Réalisé (cumul)"),
        pl.col("target_trajectory_count").cast(pl.Float64).round(1)
        .alias("Trajectoire cible (cumul)"),
    )  # fmt: skip


def audit_field_labels() -> dict[str, dict[str, str]]:
    """Entity of the audit journal -> its fields' French labels, from the forms that
    write them (entries, governance records); a field not listed keeps its code."""
    from sppe_data import entries, journal
    from sppe_data.governance import model

    labels = {
        journal.ENTITY["activities"]: dict(entries.ACTIVITY_FIELDS),
        journal.ENTITY["requests"]: dict(entries.REQUEST_FIELDS),
    }
    for kind in model.KINDS.values():
        labels.setdefault(kind.entity, {}).update(kind.labels())
    return labels


def _relabelled(text: str | None, labels: dict[str, str]) -> str | None:
    """A JSON object of the journal with its keys as French labels (values unchanged)."""
    if text is None:
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return text
    if not isinstance(values, dict):
        return text
    return json.dumps({labels.get(k, k): v for k, v in values.items()}, ensure_ascii=False)


def audit_changes(log: pl.DataFrame) -> pl.DataFrame:
    """The audit journal as the page shows it: one row per change, French headers,
    actions and objects in French, before/after JSON with French field labels."""
    from sppe_data import journal

    labels = audit_field_labels()
    return log.select(
        pl.col("changed_at").alias("Date (UTC)"),
        pl.col("actor").alias("Auteur"),
        pl.col("actor_role").alias("Rôle"),
        pl.col("action").replace_strict(journal.ACTION_LABELS, default="?").alias("Action"),
        pl.col("entity").replace_strict(journal.ENTITY_LABELS, default="?").alias("Objet"),
        pl.col("entity_id").alias("N°"),
        *(
            pl.struct("entity", column)
            .map_elements(
                lambda r, c=column: _relabelled(r[c], labels.get(r["entity"], {})),
                return_dtype=pl.String,
            )
            .alias(name)
            for column, name in (("before_json", "Avant"), ("after_json", "Après"))
        ),
    )

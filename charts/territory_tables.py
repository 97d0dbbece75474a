"""Display tables of the map pages: French headers, typed columns (the page and the
downloads format them in French)."""

from __future__ import annotations

import polars as pl

from sppe_data.projects import KIND_LABELS, NEED_LABELS, STAGE_LABELS


def departement_table(departements: pl.DataFrame) -> pl.DataFrame:
    """One row per département (rows of ``territory.departement_map``), typed: counts
    and rates as numbers (the coverage rate a share of 1), the rate's year an integer."""
    return departements.select(
        pl.col("dep_code").alias("Code"),
        pl.col("dep_name").alias("Département"),
        pl.concat_str(
            "caf_name", pl.when(pl.col("is_pivot")).then(pl.lit(" (pivot)")).otherwise(pl.lit(""))
        ).alias("Caf"),
        pl.col("pole_label").alias("Pôle"),
        pl.col("activity_count").cast(pl.Int64).alias("Activités réalisées"),
        pl.col("children_under3_count")
        .cast(pl.Int64)
        .alias("Enfants de moins de 3 ans (estimation)"),
        pl.col("activity_per_10k_children").cast(pl.Float64).alias("Activités pour 10 000 enfants"),
        (pl.col("coverage_global_pct").cast(pl.Float64) / 100).alias("Taux de couverture global"),
        pl.col("coverage_year").cast(pl.Int64).alias("Année du taux"),
    )


def project_table(projects: pl.DataFrame) -> pl.DataFrame:
    """One row per project (rows of ``territory.project_pipeline``), typed: places as
    integers, the expected opening a date."""
    yes_no = lambda c: pl.when(pl.col(c)).then(pl.lit("oui")).otherwise(pl.lit("non"))  # noqa: E731
    return projects.select(
        pl.col("project_name").alias("Projet"),
        pl.col("project_kind").replace_strict(KIND_LABELS, default="?").alias("Type"),
        pl.col("specific_need").replace_strict(NEED_LABELS, default="–").alias("Besoin spécifique"),
        pl.col("stage").replace_strict(STAGE_LABELS, default="?").alias("Étape"),
        pl.col("pole_label").alias("Pôle"),
        pl.col("dep_name").alias("Département"),
        pl.col("places_decided_count").cast(pl.Int64).alias("Places décidées"),
        pl.col("places_opened_count").cast(pl.Int64).alias("Places ouvertes"),
        pl.col("expected_opening_on").alias("Ouverture prévue"),
        yes_no("is_late").alias("En retard"),
        yes_no("is_at_risk").alias("À risque"),
        pl.col("expert_name").alias("Expert du pôle"),
    )


def project_departement_table(counts: pl.DataFrame) -> pl.DataFrame:
    """One row per département with projects (rows of ``charts.maps.projects_by_departement``):
    the table behind the map when it counts projects by département."""
    return counts.select(
        pl.col("dep_code").alias("Code"),
        pl.col("dep_name").alias("Département"),
        pl.col("project_count").alias("Projets"),
        pl.col("abandoned_count").alias("Dont abandonnés"),
        pl.col("places_decided_count").alias("Places décidées (hors abandons)"),
        pl.col("places_opened_count").alias("Places ouvertes (hors abandons)"),
        pl.col("late_count").alias("En retard"),
        pl.col("at_risk_count").alias("À risque"),
    )

"""Display tables of the map pages: French headers and French numbers."""

from __future__ import annotations

import polars as pl

from sppe_data import fmt
from sppe_data.projects import KIND_LABELS, NEED_LABELS, STAGE_LABELS


def departement_table(departements: pl.DataFrame) -> pl.DataFrame:
    """One row per département (rows of ``territory.departement_map``)."""
    return pl.DataFrame(
        [
            {
                "Code": r["dep_code"],
                "Département": r["dep_name"],
                "Caf": r["caf_name"] + (" (pivot)" if r["is_pivot"] else ""),
                "Pôle": r["pole_label"],
                "Activités réalisées": fmt.number(r["activity_count"]),
                "Enfants de moins de 3 ans (estimation)": fmt.number(r["children_under3_count"]),
                "Activités pour 10 000 enfants": fmt.number(r["activity_per_10k_children"], 1),
                "Taux de couverture global": (
                    "–" if r["coverage_global_pct"] is None
                    else f"{fmt.number(r['coverage_global_pct'], 1)}\u00a0%"
                ),
                "Année du taux": "–" if r["coverage_year"] is None else str(r["coverage_year"]),
            }
            for r in departements.iter_rows(named=True)
        ],
        schema=[
            "Code", "Département", "Caf", "Pôle", "Activités réalisées",
            "Enfants de moins de 3 ans (estimation)", "Activités pour 10 000 enfants",
            "Taux de couverture global", "Année du taux",
        ],
    )  # fmt: skip


def project_table(projects: pl.DataFrame) -> pl.DataFrame:
    """One row per project (rows of ``territory.project_pipeline``)."""
    return pl.DataFrame(
        {
            "Projet": projects["project_name"],
            "Type": projects["project_kind"].replace_strict(KIND_LABELS, default="?"),
            "Besoin spécifique": projects["specific_need"].replace_strict(NEED_LABELS, default="–"),
            "Étape": projects["stage"].replace_strict(STAGE_LABELS, default="?"),
            "Pôle": projects["pole_label"],
            "Département": projects["dep_name"],
            "Places décidées": [fmt.number(v) for v in projects["places_decided_count"]],
            "Places ouvertes": [fmt.number(v) for v in projects["places_opened_count"]],
            "Ouverture prévue": [fmt.day(v) for v in projects["expected_opening_on"]],
            "En retard": ["oui" if v else "non" for v in projects["is_late"]],
            "À risque": ["oui" if v else "non" for v in projects["is_at_risk"]],
            "Expert du pôle": projects["expert_name"],
        }
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

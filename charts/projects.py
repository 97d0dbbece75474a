"""Figures of the Projets page (place-creation pipeline). Pure builders: rows of
``territory.project_pipeline`` in, plotly figure and its display table out."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import theme
from sppe_data import fmt
from sppe_data.projects import FUNNEL_STAGES, KIND_LABELS, NEED_LABELS, STAGE_LABELS

NEED_COLOURS = {
    "aucun": "#0072B2",
    "horaires_atypiques": "#E69F00",
    "passerelle_ecole": "#009E73",
    "avip": "#CC79A7",
}


def funnel_counts(projects: pl.DataFrame) -> pl.DataFrame:
    """Grain: one row per funnel stage. Columns: stage, stage_label, at_stage_count
    (projects now at the stage), reached_count (projects at the stage or beyond,
    abandoned ones excluded)."""
    counts = dict(projects.group_by("stage").len().iter_rows())
    rows, reached = [], 0
    for stage in reversed(FUNNEL_STAGES):
        reached += counts.get(stage, 0)
        rows.append((stage, STAGE_LABELS[stage], counts.get(stage, 0), reached))
    return pl.DataFrame(
        list(reversed(rows)),
        schema=["stage", "stage_label", "at_stage_count", "reached_count"],
        orient="row",
    )


def funnel(projects: pl.DataFrame, subtitle: str) -> tuple[go.Figure, pl.DataFrame]:
    counts = funnel_counts(projects)
    abandoned = projects.filter(pl.col("stage") == "abandonne").height
    reached = counts["reached_count"].to_list()
    first = reached[0] if reached else 0
    fig = go.Figure(
        go.Funnel(
            y=counts["stage_label"].to_list(),
            x=reached,
            marker=dict(color=theme.REALISED),
            # French figures (« 334 769 · 45 % »), not plotly's « 334,769k ».
            text=[
                f"{fmt.number(n)} · {fmt.percent(n / first if first else None)}" for n in reached
            ],
            textinfo="text",
            hovertemplate="%{y} : %{x} projets<extra></extra>",
        )
    )
    fig.update_layout(template=theme.template(), height=420, margin=dict(l=10))
    fig.update_yaxes(automargin=True)
    theme.titled(
        fig,
        "Entonnoir des projets",
        f"{subtitle} · projets ayant atteint au moins l'étape · "
        f"{fmt.number(abandoned)} abandonné(s) à part",
    )
    table = counts.select(
        pl.col("stage_label").alias("Étape"),
        pl.col("at_stage_count").alias("Projets à cette étape"),
        pl.col("reached_count").alias("Projets ayant atteint au moins l'étape"),
    )
    return fig, table


def by_kind(projects: pl.DataFrame, subtitle: str) -> tuple[go.Figure, pl.DataFrame]:
    """Projects by equipment kind, stacked by specific need."""
    live = projects.filter(pl.col("stage") != "abandonne")
    counts = live.group_by("project_kind", "specific_need").len(name="n")
    kinds = [k for k in KIND_LABELS if k in set(counts["project_kind"])]
    fig = go.Figure()
    for need, label in NEED_LABELS.items():
        mine = dict(
            counts.filter(pl.col("specific_need") == need).select("project_kind", "n").iter_rows()
        )
        fig.add_trace(
            go.Bar(
                y=[KIND_LABELS[k] for k in kinds],
                x=[mine.get(k, 0) for k in kinds],
                name=label,
                orientation="h",
                marker_color=NEED_COLOURS[need],
                hovertemplate="%{y} · " + label + " : %{x}<extra></extra>",
            )
        )
    fig.update_layout(
        template=theme.template(),
        barmode="stack",
        height=420,
        margin=dict(l=10),
        legend=dict(orientation="h", y=-0.15),
    )
    fig.update_yaxes(automargin=True)
    theme.titled(
        fig, "Projets par type d'équipement", f"{subtitle} · en cours ou ouverts, par besoin"
    )
    table = pl.DataFrame(
        [
            {
                "Type": KIND_LABELS[k],
                **{
                    label: int(
                        counts.filter(
                            (pl.col("project_kind") == k) & (pl.col("specific_need") == need)
                        )["n"].sum()
                    )
                    for need, label in NEED_LABELS.items()
                },
            }
            for k in kinds
        ]
    )
    return fig, table


def places_by_pole(projects: pl.DataFrame, subtitle: str) -> tuple[go.Figure, pl.DataFrame]:
    """Places decided vs places opened, by pôle (abandoned projects excluded)."""
    live = projects.filter(pl.col("stage") != "abandonne")
    by_pole = (
        live.group_by("pole_short_label", "pole_label")
        .agg(
            pl.col("places_decided_count").sum().alias("decided"),
            pl.col("places_opened_count").sum().alias("opened"),
            pl.col("places_gap_count").sum().alias("gap"),
        )
        .sort("pole_label")
    )
    labels = by_pole["pole_short_label"].to_list()
    fig = go.Figure(
        [
            go.Bar(x=labels, y=by_pole["decided"].to_list(), name="Places décidées",
                   marker_color="#0072B2"),
            go.Bar(x=labels, y=by_pole["opened"].to_list(), name="Places ouvertes",
                   marker_color="#009E73"),
        ]
    )  # fmt: skip
    fig.update_layout(template=theme.template(), barmode="group", height=380)
    theme.titled(fig, "Places décidées et places ouvertes par pôle", subtitle)
    table = by_pole.select(
        pl.col("pole_label").alias("Pôle"),
        pl.col("decided").alias("Places décidées"),
        pl.col("opened").alias("Places ouvertes"),
        pl.col("gap").alias("Écart (décidées non ouvertes)"),
    )
    return fig, table


def expert_table(projects: pl.DataFrame) -> pl.DataFrame:
    """Grain: one row per pôle expert. Projects followed, late, at risk, places."""
    live = projects.filter(~pl.col("stage").is_in(["ouvert", "abandonne"]))
    return (
        live.group_by("expert_name", "pole_label")
        .agg(
            pl.len().alias("Projets suivis en cours"),
            pl.col("is_late").sum().alias("En retard"),
            pl.col("is_at_risk").sum().alias("À risque"),
            pl.col("places_decided_count").sum().alias("Places décidées"),
        )
        # Names break the ties: the same table on every run.
        .sort(["Projets suivis en cours", "expert_name"], descending=[True, False])
        .rename({"expert_name": "Expert du pôle", "pole_label": "Pôle"})
    )


def late_ranking(projects: pl.DataFrame) -> pl.DataFrame:
    """Late or at-risk projects, the most late first: late ones by expected opening
    (furthest in the past first), then those only at risk, by expected opening."""
    late = projects.filter(pl.col("is_late") | pl.col("is_at_risk"))
    return late.sort(
        ["is_late", "expected_opening_on", "project_id"], descending=[True, False, False]
    )


def page_parts(projects: pl.DataFrame, subtitle: str, late_shown: int) -> dict:
    """What the Projets page shows, from every project of the scope (the KPIs count the
    full sets): small enough to keep in a cache and read back at each rerun."""
    from charts.territory_tables import project_table

    live = projects.filter(pl.col("stage") != "abandonne")
    ranked = late_ranking(projects)
    return {
        "live_count": live.height,
        "decided": int(live["places_decided_count"].sum() or 0),
        "opened": int(live["places_opened_count"].sum() or 0),
        "late_count": ranked.height,
        "late_table": project_table(ranked.head(late_shown)),
        "funnel": funnel(projects, subtitle),
        "by_kind": by_kind(projects, subtitle),
        "places": places_by_pole(projects, subtitle),
        "experts": expert_table(projects),
        "departements": dict(
            projects.select("dep_code", "dep_name").unique("dep_code").sort("dep_code").iter_rows()
        ),
        "drawn_by_departement": dict(projects.group_by("dep_code").len().iter_rows()),
    }

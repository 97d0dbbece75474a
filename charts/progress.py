"""Progress of an indicator against its target trajectory."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from charts import theme
from sppe_data import fmt


def cumulative_progress(
    monthly: pl.DataFrame,
    forecast_count: float | None,
    title: str,
    subtitle: str,
    today: date,
) -> go.Figure:
    """Monthly realised bars, cumulative realised line, target trajectory (dashed) and
    the run-rate forecast to the year end (dotted).

    ``monthly``: one row per month with month_start, month_end, realised_count,
    cumulative_realised_count, target_trajectory_count (see indicator_monthly.sql).
    """
    ticktext = [fmt.MONTHS_SHORT[d.month - 1] for d in monthly["month_end"]]
    x = monthly["month_end"].to_list()
    done = monthly.filter(pl.col("cumulative_realised_count").is_not_null())
    done_months = [fmt.month(d) for d in done["month_end"]]
    data = [
        dict(
            type="bar",
            x=done["month_end"].to_list(),
            y=done["realised_count"].to_list(),
            name="Réalisé dans le mois",
            marker=dict(color="#A6CEE3"),
            hovertemplate="%{customdata} : %{y} réalisé(s)<extra></extra>",
            customdata=done_months,
        ),
        dict(
            type="scatter",
            x=x,
            y=monthly["target_trajectory_count"].to_list(),
            name="Trajectoire cible (cumul)",
            mode="lines",
            line=dict(color=theme.TARGET, dash="dash", width=2),
            hovertemplate="Cible à fin %{customdata} : %{y:.1f}<extra></extra>",
            customdata=[fmt.month(d) for d in monthly["month_end"]],
        ),
        dict(
            type="scatter",
            x=done["month_end"].to_list(),
            y=done["cumulative_realised_count"].to_list(),
            name="Réalisé (cumul)",
            mode="lines+markers",
            line=dict(color=theme.REALISED, width=3),
            hovertemplate="Cumul à fin %{customdata} : %{y}<extra></extra>",
            customdata=done_months,
        ),
    ]
    if forecast_count is not None and done.height and done.height < monthly.height:
        last = done.row(done.height - 1, named=True)
        # The forecast starts from today's cumulative figure and runs to the year end.
        start_x = min(today, last["month_end"])
        data.append(
            dict(
                type="scatter",
                x=[start_x, monthly["month_end"][-1]],
                y=[last["cumulative_realised_count"], forecast_count],
                name="Prévision au rythme actuel",
                mode="lines",
                line=dict(color=theme.FORECAST, dash="dot", width=2),
                hovertemplate="Prévision fin d'année : %{y:.0f}<extra></extra>",
            )
        )
    fig = theme.figure(
        data,
        dict(
            xaxis=dict(tickvals=x, ticktext=ticktext, tickangle=0),
            yaxis=dict(title=dict(text="Nombre (cumul)")),
        ),
    )
    return theme.titled(fig, title, subtitle)

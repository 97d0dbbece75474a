"""Figure of the pivot-Caf selection page. Pure builder: the ranking table of
``sppe_data.governance.selection.ranking_table`` in, a plotly figure out."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import theme
from sppe_data.governance import selection

TITLE = "Score des Caf candidates, par critère"


def contributions(ranking: pl.DataFrame, subtitle: str) -> go.Figure:
    """Stacked horizontal bars: one bar per candidate (best at the top), one segment per
    criterion, its contribution in points; the bar's length is the total score."""
    cafs = ranking[selection.CAF].to_list()
    fig = go.Figure()
    for colour, criterion in zip(theme.PALETTE, selection.CRITERIA, strict=False):
        fig.add_trace(
            go.Bar(
                name=criterion.label,
                y=cafs,
                x=ranking[selection.contribution_header(criterion)].to_list(),
                orientation="h",
                marker=dict(color=colour),
                hovertemplate=f"%{{y}} · {criterion.label} : %{{x:.1f}} points<extra></extra>",
            )
        )
    fig.update_layout(
        template=theme.template(),
        barmode="stack",
        height=260 + 44 * len(cafs),
        margin=dict(l=10),
        legend=dict(traceorder="normal"),
    )
    fig.update_xaxes(range=[0, 100])
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    return theme.titled(fig, TITLE, f"{subtitle} · points du score total (sur 100)")

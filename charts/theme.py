"""The one plotly template, used on screen and in exported images."""

from __future__ import annotations

import plotly.graph_objects as go

FONT = "Marianne, 'DejaVu Sans', Arial, sans-serif"
INK = "#1E1E1E"
MUTED = "#666666"
GRID = "#E5E5E5"
# Okabe-Ito qualitative palette (colour-blind safe), blue first.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
REALISED = "#0072B2"
TARGET = "#555555"
FORECAST = "#0072B2"


def template() -> go.layout.Template:
    """A fresh template each call: figures never share (and mutate) one object."""
    return go.layout.Template(
        layout=go.Layout(
            font=dict(family=FONT, size=13, color=INK),
            colorway=PALETTE,
            paper_bgcolor="white",
            plot_bgcolor="white",
            separators=", ",  # French: decimal comma, space as thousands separator
            margin=dict(l=60, r=24, t=80, b=40),
            xaxis=dict(gridcolor=GRID, linecolor="#BBBBBB", ticks="outside", tickcolor="#BBBBBB"),
            yaxis=dict(gridcolor=GRID, zerolinecolor="#BBBBBB", rangemode="tozero"),
            legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
            hoverlabel=dict(font=dict(family=FONT)),
            title=dict(x=0, xanchor="left", font=dict(size=16)),
        )
    )


def titled(fig: go.Figure, title: str, subtitle: str | None = None) -> go.Figure:
    fig.update_layout(title=dict(text=title, subtitle=dict(text=subtitle or "")))
    return fig

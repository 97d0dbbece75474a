"""Figures of the steering pages (explorer, committees, controls, resources, saisines).

Pure builders: DataFrame in, plotly figure out; nothing runs at import.
"""

from __future__ import annotations

from itertools import pairwise

import plotly.graph_objects as go
import polars as pl

from charts import theme
from sppe_data import fmt, reference
from sppe_data.labels import PACE_STATUS

# One more colour than the palette, for the nine risk-control kinds.
KIND_COLOURS = [*theme.PALETTE, "#999999"]
# With the colours, a hatching: nine colours and eight hatchings give each of the sixteen
# activity kinds its own pair, so that two kinds never look alike, even in grey.
KIND_HATCHINGS = ["", "/", ".", "x", "\\", "-", "+", "|"]


def kind_marker(i: int) -> dict:
    """The bar marker of the ``i``-th activity kind (in the kinds' order): its colour and
    its hatching, drawn in white over the colour."""
    return dict(
        color=KIND_COLOURS[i % len(KIND_COLOURS)],
        pattern=dict(
            shape=KIND_HATCHINGS[i % len(KIND_HATCHINGS)], fillmode="overlay",
            fgcolor="white", size=7, solidity=0.35,
        ),
    )  # fmt: skip


BAND_COLOURS = ("#F2F2F2", "#E0E0E0", "#C8C8C8")  # behind, watch, on track


def _empty(fig: go.Figure, message: str = "Aucune donnée sur la période") -> go.Figure:
    fig.add_annotation(
        text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
        font=dict(size=15, color=theme.MUTED),
    )  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def breakdown_bars(
    breakdown: pl.DataFrame, dimension_label: str, title: str, subtitle: str
) -> go.Figure:
    """Stacked bars: one bar per dimension value, one colour per activity kind. Each
    point carries (activity_kind, dim_key) as customdata, for the drill-down.

    ``breakdown``: activity_breakdown rows (activity_kind, activity_label, kind_sort,
    dim_key, dim_label, done_count)."""
    if breakdown.is_empty():
        fig = go.Figure(layout=dict(template=theme.template()))
        return theme.titled(_empty(fig), title, subtitle)
    order = (
        breakdown.group_by("dim_key", "dim_label").agg(pl.col("done_count").sum()).sort("dim_key")
    )
    kinds = breakdown.unique("activity_kind").sort("kind_sort")
    data = []
    for i, (kind, kind_label) in enumerate(kinds.select("activity_kind", "activity_label").rows()):
        rows = breakdown.filter(pl.col("activity_kind") == kind)
        data.append(dict(
            type="bar",
            x=rows["dim_label"].to_list(),
            y=rows["done_count"].to_list(),
            name=kind_label if len(kind_label) <= 48 else kind_label[:47] + "…",
            marker=kind_marker(i),
            customdata=[[kind, k] for k in rows["dim_key"]],
            hovertemplate=f"{kind_label}<br>%{{x}} : %{{y}}<extra></extra>",
        ))  # fmt: skip
    fig = theme.figure(
        data,
        dict(
            barmode="stack",
            height=620,
            legend=dict(orientation="v", x=1.02, y=1, yanchor="top", font=dict(size=11)),
            xaxis=dict(
                categoryorder="array",
                categoryarray=order["dim_label"].to_list(),
                title=dict(text=dimension_label),
            ),
            yaxis=dict(title=dict(text="Activités réalisées")),
        ),
    )
    return theme.titled(fig, title, subtitle)


def _spans(n: int, spacing: float) -> list[tuple[float, float]]:
    """The domains of ``n`` panels side by side (or stacked from the top) with
    ``spacing`` between them, as plotly's ``make_subplots`` places them."""
    size = (1 - spacing * (n - 1)) / n
    return [(k * (size + spacing), k * (size + spacing) + size) for k in range(n)]


def pole_small_multiples(monthly: pl.DataFrame, title: str, subtitle: str) -> go.Figure:
    """One panel per pôle, months on x, done activities on y, the same y scale for all.

    ``monthly``: pole_code, pole_short_label, pole_sort, month_start, done_count (every
    pôle x month, zeros included)."""
    poles = monthly.unique("pole_code").sort("pole_sort")
    n = max(poles.height, 1)
    shown = [fmt.MONTHS_SHORT[m] for m in (0, 3, 6, 9)]
    layout: dict = dict(showlegend=False, height=360, margin=dict(t=120), annotations=[])
    for i, (lo, hi) in enumerate(_spans(n, 0.02), start=1):
        x, y = f"x{theme.axis_suffix(i)}", f"y{theme.axis_suffix(i)}"
        layout[f"xaxis{theme.axis_suffix(i)}"] = dict(
            domain=[lo, hi], anchor=y, categoryorder="array",
            categoryarray=list(fmt.MONTHS_SHORT), tickvals=shown, tickangle=0,
        )  # fmt: skip
        layout[f"yaxis{theme.axis_suffix(i)}"] = (
            dict(domain=[0, 1], anchor=x, title=dict(text="Activités réalisées"))
            if i == 1
            else dict(domain=[0, 1], anchor=x, matches="y", showticklabels=False)
        )
    data = []
    for i, (pole, label) in enumerate(
        poles.select("pole_code", "pole_short_label").rows(), start=1
    ):
        rows = monthly.filter(pl.col("pole_code") == pole).sort("month_start")
        data.append(dict(
            type="bar",
            x=[fmt.MONTHS_SHORT[d.month - 1] for d in rows["month_start"]],
            y=rows["done_count"].to_list(),
            marker=dict(color=theme.REALISED),
            customdata=[fmt.month(d) for d in rows["month_start"]],
            hovertemplate="%{customdata} : %{y}<extra></extra>",
            xaxis=f"x{theme.axis_suffix(i)}",
            yaxis=f"y{theme.axis_suffix(i)}",
        ))  # fmt: skip
        lo, hi = layout[f"xaxis{theme.axis_suffix(i)}"]["domain"]
        layout["annotations"].append(dict(
            text=label, x=(lo + hi) / 2, y=1.0, xref="paper", yref="paper",
            xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=16),
        ))  # fmt: skip
    return theme.titled(theme.figure(data, layout), title, subtitle)


def indicator_bullets(rows: pl.DataFrame, title: str, subtitle: str) -> go.Figure:
    """A bullet chart per targeted indicator: qualitative bands (behind, watch, on track,
    at the thresholds of ``reference.pace_thresholds``), the realised bar, the
    expected-to-date marker and the annual target. Each indicator on its own scale.

    ``rows``: indicator_label, short_label, realised_count, target_count,
    expected_count, pace_status (one row per indicator)."""
    n = rows.height
    layout: dict = dict(
        height=90 * max(n, 1) + 120,
        barmode="overlay",
        margin=dict(l=230, r=120),
        annotations=[],
    )
    if n == 0:
        fig = go.Figure(layout=dict(template=theme.template(), **layout))
        return theme.titled(_empty(fig), title, subtitle)
    pace = reference.pace_thresholds()
    data = []
    # The first indicator on top, as plotly's make_subplots stacks its rows.
    spans = [(1 - hi, 1 - lo) for lo, hi in _spans(n, 0.06)]
    for i, r in enumerate(rows.iter_rows(named=True), start=1):
        suffix = theme.axis_suffix(i)
        axes = dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        target = r["target_count"] or 0.0
        expected = r["expected_count"] or 0.0
        top = max(target, r["realised_count"], 1.0)
        layout[f"xaxis{suffix}"] = dict(domain=[0, 1], anchor=f"y{suffix}", range=[0, top * 1.08])
        layout[f"yaxis{suffix}"] = dict(domain=list(spans[i - 1]), anchor=f"x{suffix}")
        edges = [0.0, pace.watch_from * expected, pace.on_track_from * expected, top]
        for (lo, hi), colour in zip(pairwise(edges), BAND_COLOURS, strict=True):
            data.append(dict(
                type="bar", x=[hi - lo], base=[lo], y=[r["short_label"]], orientation="h",
                marker=dict(color=colour), width=0.9, hoverinfo="skip", showlegend=False,
                **axes,
            ))  # fmt: skip
        status = PACE_STATUS[r["pace_status"]]
        data.append(dict(
            type="bar", x=[r["realised_count"]], y=[r["short_label"]], orientation="h",
            width=0.35, marker=dict(color=status.colour), name=f"Réalisé ({status.label})",
            showlegend=False,
            hovertemplate=f"Réalisé : %{{x}} · {status.symbol} {status.label}<extra></extra>",
            **axes,
        ))  # fmt: skip
        data.append(dict(
            type="scatter", x=[expected], y=[r["short_label"]], mode="markers",
            showlegend=i == 1, name="Attendu à date",
            marker=dict(symbol="line-ns", size=26, line=dict(width=3), color=theme.INK),
            hovertemplate="Attendu à date : %{x:.1f}<extra></extra>", **axes,
        ))  # fmt: skip
        data.append(dict(
            type="scatter", x=[target], y=[r["short_label"]], mode="markers",
            showlegend=i == 1, name="Cible annuelle",
            marker=dict(symbol="diamond", size=11, color=theme.TARGET),
            hovertemplate="Cible annuelle : %{x:.1f}<extra></extra>", **axes,
        ))  # fmt: skip
        note = f"{status.symbol} {fmt.number(r['realised_count'])} / {fmt.smart(round(target, 1))}"
        layout["annotations"].append(dict(
            text=note, x=1.02, xref=f"x{suffix} domain", y=r["short_label"],
            yref=f"y{suffix}", xanchor="left", showarrow=False,
            font=dict(size=12, color=theme.MUTED),
        ))  # fmt: skip
    return theme.titled(theme.figure(data, layout), title, subtitle)


def year_on_year(
    current: pl.DataFrame, previous: pl.DataFrame, year: int, title: str, subtitle: str
) -> go.Figure:
    """Cumulative realised by month, this year against the year before.

    ``current`` / ``previous``: indicator_monthly rows (month_start,
    cumulative_realised_count)."""
    months = [fmt.MONTHS_SHORT[m] for m in range(12)]
    data = []
    for frame, name, colour, dash in (
        (previous, f"{year - 1}", "#999999", "dot"),
        (current, f"{year}", theme.REALISED, "solid"),
    ):
        done = frame.filter(pl.col("cumulative_realised_count").is_not_null())
        data.append(
            dict(
                type="scatter",
                x=[months[d.month - 1] for d in done["month_start"]],
                y=done["cumulative_realised_count"].to_list(),
                name=f"Réalisé cumulé {name}",
                mode="lines+markers",
                line=dict(color=colour, dash=dash, width=3),
                hovertemplate=f"{name}, fin %{{x}} : %{{y}}<extra></extra>",
            )
        )
    layout = dict(
        xaxis=dict(categoryorder="array", categoryarray=months),
        yaxis=dict(title=dict(text="Nombre (cumul)")),
    )
    return theme.titled(theme.figure(data, layout), title, subtitle)


def grouped_bars(
    categories: list[str],
    series: dict[str, list[float]],
    title: str,
    subtitle: str,
    y_title: str,
    horizontal: bool = False,
    colours: list[str] | None = None,
    barmode: str = "group",
) -> go.Figure:
    """Grouped bars: one group per category, one bar per series (name -> values);
    ``colours``: one per series (the palette by default); ``barmode="stack"``: stacked."""
    if not categories or not any(v for values in series.values() for v in values):
        fig = go.Figure(layout=dict(template=theme.template()))
        return theme.titled(_empty(fig), title, subtitle)
    colours = colours or []
    data = []
    for i, (name, values) in enumerate(series.items()):
        colour = colours[i] if i < len(colours) else theme.PALETTE[i % len(theme.PALETTE)]
        bars = (
            dict(y=categories, x=values, orientation="h")
            if horizontal
            else dict(x=categories, y=values)
        )
        data.append(dict(type="bar", name=name, marker=dict(color=colour), **bars))
    layout: dict = dict(barmode=barmode)
    if horizontal:
        layout["xaxis"] = dict(title=dict(text=y_title), tickformat=",~r")
        layout["yaxis"] = dict(autorange="reversed", automargin=True)
        layout["legend"] = dict(y=-0.25)
    else:
        layout["yaxis"] = dict(title=dict(text=y_title), tickformat=",~r", automargin=True)
    return theme.titled(theme.figure(data, layout), title, subtitle)


def stacked_bars(
    categories: list[str],
    series: dict[str, list[float]],
    title: str,
    subtitle: str,
    y_title: str,
    colours: list[str] | None = None,
) -> go.Figure:
    """Stacked bars: one bar per category, one segment per series (name -> values)."""
    return grouped_bars(
        categories, series, title, subtitle, y_title, colours=colours, barmode="stack"
    )

"""The pôle map as a plotly figure, for a static image (PNG) to show in meetings.

The départements are drawn as filled shapes on hidden axes, in Web Mercator (the
projection of the interactive map, shapes unchanged), from the committed boundaries
simplified together to about a pixel of the exported image. The browser draws them as
SVG in a fraction of a second, where a tile map (``choroplethmap``) needs WebGL, slow
without a graphics card (7 to 15 s for this map). Nothing is fetched. Same colours,
white borders, pivot Cafs and overseas insets as the interactive map.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
import polars as pl
import shapely

from charts import theme
from charts.maps import PIVOT, POLE_COLOURS, layout_wkb, mercator, outlines, projected
from sppe_data import reference

# Former tile-map zoom of the framed export; the map now fits its plot area and callers
# may stop passing it.
EXPORT_ZOOM = 4.4
# Simplification tolerance in projected degrees: the framed export draws about 0.02 of
# them per pixel of the 1920-pixel PNG, so the outline moves by a pixel at most.
SIMPLIFY = 0.02
PAD = 0.3  # projected degrees of white around the map


def export_geometries(layout: gpd.GeoDataFrame) -> tuple[shapely.Geometry, ...]:
    """The départements of ``layout`` (geo.boundaries.national_layout), projected and
    simplified for the static map, in the same order; cached per geometry."""
    return projected(layout_wkb(layout), SIMPLIFY)


def pole_map_figure(
    layout: gpd.GeoDataFrame,
    departements: pl.DataFrame,
    title: str,
    subtitle: str,
    zoom: float | None = None,
) -> go.Figure:
    """``layout``: départements placed for the national map (geo.boundaries);
    ``departements``: rows of ``territory.departement_map`` (pôle, pivot Cafs).
    The map fills the plot area (``zoom`` is not used)."""
    wkb = layout_wkb(layout)
    shapes = dict(zip(layout["dep_code"], outlines(wkb, SIMPLIFY), strict=True))
    data: list[dict] = []
    poles = reference.poles().sort("sort_order")
    for pole_code, pole_label in poles.select("pole_code", "pole_label").iter_rows():
        mine = departements.filter(pl.col("pole_code") == pole_code)
        colour = POLE_COLOURS.get(pole_code, "#D9D9D9")
        xs: list = []
        ys: list = []
        for code in mine["dep_code"]:
            if code in shapes:
                xs.extend(shapes[code][0])
                ys.extend(shapes[code][1])
        data.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                opacity=0.9,
                line=dict(color="white", width=0.6),
                name=pole_label,
                legendgroup=pole_code,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        # The legend's colour square (a filled outline would show as a band).
        data.append(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(symbol="square", size=13, color=colour, opacity=0.9),
                name=pole_label,
                legendgroup=pole_code,
                hoverinfo="skip",
            )
        )
    centres = layout.set_index("dep_code").geometry.representative_point()
    pivots = departements.filter(pl.col("is_pivot"))
    points = mercator(
        np.array([(centres[c].x, centres[c].y) for c in pivots["dep_code"]]).reshape(-1, 2)
    )
    data.append(
        dict(
            type="scatter",
            x=points[:, 0].tolist(),
            y=points[:, 1].tolist(),
            mode="markers",
            marker=dict(size=12, color=PIVOT),
            name="Caf pivot",
            text=pivots["caf_name"].to_list(),
            hovertemplate="%{text}<extra></extra>",
        )
    )
    minx, miny, maxx, maxy = shapely.total_bounds(projected(wkb, SIMPLIFY))
    hidden = dict(visible=False, showgrid=False, zeroline=False, fixedrange=True)
    fig = theme.figure(
        data,
        dict(
            xaxis=dict(hidden, range=[minx - PAD, maxx + PAD]),
            yaxis=dict(
                hidden,
                range=[miny - PAD, maxy + PAD],
                scaleanchor="x",
                scaleratio=1,
                rangemode="normal",
            ),
            margin=dict(l=10, r=10, t=80, b=10),
            legend=dict(orientation="v", y=0.5, x=1.0, xanchor="left", yanchor="middle"),
            width=1400,
            height=1000,
        ),
    )
    return theme.titled(fig, title, subtitle)

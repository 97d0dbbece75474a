"""The pôle map as a plotly figure, for a static image (PNG) to show in meetings.

The départements are drawn as filled shapes on hidden axes, in Web Mercator (the
projection of the interactive map, shapes unchanged), from the committed boundaries
simplified together to about a pixel of the exported image. The browser draws them as
SVG in a fraction of a second, where a tile map (``choroplethmap``) needs WebGL, slow
without a graphics card (7 to 15 s for this map). Nothing is fetched. Same colours,
white borders, pivot Cafs and overseas insets as the interactive map.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
import polars as pl
import shapely

from charts import theme
from geo.deck import PIVOT, POLE_COLOURS
from sppe_data import reference

# Former tile-map zoom of the framed export; the map now fits its plot area and callers
# may stop passing it.
EXPORT_ZOOM = 4.4
# Simplification tolerance in projected degrees: the framed export draws about 0.02 of
# them per pixel of the 1920-pixel PNG, so the outline moves by a pixel at most.
SIMPLIFY = 0.02
DECIMALS = 3  # coordinates sent to the browser: a twentieth of a pixel
PAD = 0.3  # projected degrees of white around the map


def mercator(xy: np.ndarray) -> np.ndarray:
    """Longitude, latitude (degrees) to Web Mercator with y in degree units (x unchanged):
    on axes of equal scale, the shapes of a web map."""
    out = np.array(xy, dtype=float)
    out[:, 1] = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(out[:, 1]) / 2)))
    return out


@lru_cache(maxsize=4)
def _projected(wkb: tuple[bytes, ...]) -> tuple[shapely.Geometry, ...]:
    geoms = shapely.transform(shapely.from_wkb(np.array(wkb, dtype=object)), mercator)
    # Together, so that neighbours keep one shared border; holes as holes.
    return tuple(shapely.orient_polygons(shapely.coverage_simplify(geoms, SIMPLIFY)))


def export_geometries(layout: gpd.GeoDataFrame) -> tuple[shapely.Geometry, ...]:
    """The départements of ``layout`` (geo.boundaries.national_layout), projected and
    simplified for the static map, in the same order; cached per geometry."""
    return _projected(tuple(shapely.to_wkb(layout.geometry.values)))


@lru_cache(maxsize=4)
def _outlines(wkb: tuple[bytes, ...]) -> tuple[tuple[tuple, tuple], ...]:
    """Per geometry: (x, y) of its rings, ``None`` between rings (one filled shape each)."""
    out = []
    for geom in _projected(wkb):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for polygon in shapely.get_parts(geom):
            for ring in (polygon.exterior, *polygon.interiors):
                coords = np.round(shapely.get_coordinates(ring), DECIMALS)
                xs.extend(coords[:, 0].tolist())
                ys.extend(coords[:, 1].tolist())
                xs.append(None)
                ys.append(None)
        out.append((tuple(xs), tuple(ys)))
    return tuple(out)


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
    wkb = tuple(shapely.to_wkb(layout.geometry.values))
    outlines = dict(zip(layout["dep_code"], _outlines(wkb), strict=True))
    data: list[dict] = []
    poles = reference.poles().sort("sort_order")
    for pole_code, pole_label in poles.select("pole_code", "pole_label").iter_rows():
        mine = departements.filter(pl.col("pole_code") == pole_code)
        colour = POLE_COLOURS.get(pole_code, "#D9D9D9")
        xs: list = []
        ys: list = []
        for code in mine["dep_code"]:
            if code in outlines:
                xs.extend(outlines[code][0])
                ys.extend(outlines[code][1])
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
    minx, miny, maxx, maxy = shapely.total_bounds(_projected(wkb))
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

"""The pôle map as a plotly figure, for a static image (PNG) to show in meetings.

``choroplethmap`` with the ``white-bg`` style draws from the committed boundaries and
fetches nothing (plotly's ``choropleth``/``scatter_geo`` would fetch a topojson from a
CDN). Same colours and insets as the interactive map.
"""

from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go
import polars as pl

from charts import theme
from geo.deck import PIVOT, POLE_COLOURS
from sppe_data import reference

# The framed 16:9 export leaves about 780 x 470 px to the map: mainland France and the
# overseas insets (about 21 degrees of longitude) fit at this zoom.
EXPORT_ZOOM = 4.4


def pole_map_figure(
    layout: gpd.GeoDataFrame,
    departements: pl.DataFrame,
    title: str,
    subtitle: str,
    zoom: float = 5.0,
) -> go.Figure:
    """``layout``: départements placed for the national map (geo.boundaries);
    ``departements``: rows of ``territory.departement_map`` (pôle, pivot Cafs).
    ``zoom``: MapLibre zoom (512-pixel tiles): 5 fills a 1400 x 1000 figure, about 4.3
    fits the plot area of a framed 16:9 export."""
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": code, "geometry": g.__geo_interface__, "properties": {}}
            for code, g in zip(layout["dep_code"], layout.geometry, strict=True)
        ],
    }
    fig = go.Figure()
    poles = reference.poles().sort("sort_order")
    for pole_code, pole_label in poles.select("pole_code", "pole_label").iter_rows():
        mine = departements.filter(pl.col("pole_code") == pole_code)
        colour = POLE_COLOURS.get(pole_code, "#D9D9D9")
        fig.add_trace(
            go.Choroplethmap(
                geojson=geojson,
                locations=mine["dep_code"].to_list(),
                z=[1] * mine.height,
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                marker=dict(line=dict(color="white", width=0.6), opacity=0.9),
                name=pole_label,
                showlegend=True,
                text=mine["dep_name"].to_list(),
                hovertemplate="%{text}<extra>" + pole_label + "</extra>",
            )
        )
    centres = layout.set_index("dep_code").geometry.representative_point()
    pivots = departements.filter(pl.col("is_pivot"))
    fig.add_trace(
        go.Scattermap(
            lon=[centres[c].x for c in pivots["dep_code"]],
            lat=[centres[c].y for c in pivots["dep_code"]],
            mode="markers",
            marker=dict(size=12, color=PIVOT),
            name="Caf pivot",
            text=pivots["caf_name"].to_list(),
            hovertemplate="%{text}<extra></extra>",
        )
    )
    minx, miny, maxx, maxy = layout.total_bounds
    fig.update_layout(
        template=theme.template(),
        map=dict(
            style="white-bg",
            center=dict(lon=(minx + maxx) / 2, lat=(miny + maxy) / 2),
            zoom=zoom,
        ),
        margin=dict(l=10, r=10, t=80, b=10),
        legend=dict(orientation="v", y=0.5, x=1.0, xanchor="left", yanchor="middle"),
        width=1400,
        height=1000,
    )
    return theme.titled(fig, title, subtitle)

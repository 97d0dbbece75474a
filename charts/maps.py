"""The interactive maps of the pages as plotly figures: départements drawn as filled
shapes on hidden axes, in Web Mercator, from the committed boundaries (nothing is
fetched, no base map).

The browser draws them as SVG in a fraction of a second; a WebGL map (deck.gl) takes 7
to 12 s to answer the pointer in a browser without a graphics card, which is what many
office computers and remote desktops have. Pure builders: frames in, a ``MapView`` out
(the figure and the legend entries the page draws in Streamlit).

Colours: the Okabe-Ito palette for categories (pôles, project stages) and a
single-hue blue ramp for quantities; both read for colour-blind users, and every colour
comes with a text label in the legend and the tooltip. The pointer over a département
shows its tooltip (one trace per département: plotly gives a filled shape one tooltip).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
import polars as pl
import shapely

from charts import theme
from geo import boundaries
from sppe_data import fmt

POLE_COLOURS = {
    "idf_hdf": "#0072B2",
    "centre_est": "#E69F00",
    "mediterranee": "#009E73",
    "atlantique": "#CC79A7",
    "centre_ouest": "#F0E442",
}
RAMP = ["#DEEBF7", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C"]  # light -> dark blue
DENSITY_RAMP = ["#9ECAE1", "#6BAED6", "#3182BD", "#08519C", "#08306B"]  # on a grey map
NO_DATA = "#D9D9D9"
OUTSIDE = "#F2F2F2"  # départements outside the selected pôle
PIVOT = "#000000"
STAGE_COLOURS = {
    "emergence": "#56B4E9",
    "etude": "#0072B2",
    "decision_financement": "#E69F00",
    "travaux": "#D55E00",
    "ouvert": "#009E73",
    "abandonne": "#999999",
}
HEIGHT = 600  # pixels: the map column of a wide page
# Outlines simplified together to about a pixel of the national map on a wide screen
# (projected degrees), and coordinates sent with three decimals (about 100 m).
SCREEN_SIMPLIFY = 0.01
DECIMALS = 3
PAD = 0.2  # projected degrees of white around what the view fits
HOVER_LABEL = dict(bgcolor="#1E1E1E", bordercolor="#1E1E1E", font=dict(color="white", size=13))
# What a map offers: pan by dragging, zoom with the wheel, back with a double click; no
# toolbar (its labels are English and a map exports from its own button).
CONFIG = {"displayModeBar": False, "scrollZoom": True, "doubleClick": "reset"}


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str  # hex
    shape: str = "square"  # square or circle


@dataclass(frozen=True)
class MapView:
    figure: go.Figure
    legend: list[LegendItem]
    legend_title: str

    def frozen(self) -> MapView:
        """The same view with its figure kept as a plain dict (``FrozenFigure``): what a
        cache stores and reads back at once."""
        return MapView(FrozenFigure(self.figure.to_dict()), self.legend, self.legend_title)


class FrozenFigure(go.Figure):
    """A figure already built, as its dict, for ``st.plotly_chart``: Streamlit asks a
    figure for ``to_dict()``, which returns the dict as it is, where reading back a
    pickled ``go.Figure`` checks every property of its hundred traces again."""

    def __new__(cls, spec: dict) -> FrozenFigure:
        figure = object.__new__(cls)
        object.__setattr__(figure, "_spec", spec)
        return figure

    def __init__(self, spec: dict) -> None:  # the dict is already checked
        pass

    def __reduce__(self):
        return (FrozenFigure, (self._spec,))

    def to_dict(self) -> dict:
        return self._spec


def mercator(xy: np.ndarray) -> np.ndarray:
    """Longitude, latitude (degrees) to Web Mercator with y in degree units (x unchanged):
    on axes of equal scale, the shapes of a web map."""
    out = np.array(xy, dtype=float).reshape(-1, 2)
    out[:, 1] = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(out[:, 1]) / 2)))
    return out


@lru_cache(maxsize=4)
def projected(wkb: tuple[bytes, ...], tolerance: float) -> tuple[shapely.Geometry, ...]:
    """Geometries (WKB) projected and simplified together, so that neighbours keep one
    shared border; holes as holes."""
    geoms = shapely.transform(shapely.from_wkb(np.array(wkb, dtype=object)), mercator)
    return tuple(shapely.orient_polygons(shapely.coverage_simplify(geoms, tolerance)))


@lru_cache(maxsize=4)
def outlines(wkb: tuple[bytes, ...], tolerance: float) -> tuple[tuple[tuple, tuple], ...]:
    """Per geometry: (x, y) of its rings, ``None`` between rings (one filled shape each)."""
    out = []
    for geom in projected(wkb, tolerance):
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


def layout_wkb(layout: gpd.GeoDataFrame) -> tuple[bytes, ...]:
    return tuple(shapely.to_wkb(layout.geometry.values))


def breaks(values: list[float], classes: int = 5) -> list[float]:
    """Upper bounds of ``classes`` quantile classes of the non-missing values (the
    last is the maximum); fewer when values repeat."""
    clean = sorted(v for v in values if v is not None and not math.isnan(v))
    if not clean:
        return []
    qs = np.quantile(clean, [(i + 1) / classes for i in range(classes)])
    out: list[float] = []
    for q in qs:
        if not out or q > out[-1]:
            out.append(float(q))
    return out


def class_of(value: float | None, bounds: list[float]) -> int | None:
    if value is None or math.isnan(value) or not bounds:
        return None
    for i, b in enumerate(bounds):
        if value <= b:
            return i
    return len(bounds) - 1


INDICATORS = {
    "pole": "Pôle de rattachement",
    "activity_count": "Activités réalisées",
    "activity_per_10k_children": "Activités pour 10 000 enfants de moins de 3 ans",
    "coverage_global_pct": "Taux de couverture global",
}


def _value_text(indicator: str, value: float | None) -> str:
    if indicator == "coverage_global_pct":
        return "–" if value is None else f"{fmt.number(value, 1)}\u00a0%"
    if indicator == "activity_per_10k_children":
        return fmt.number(value, 1)
    return fmt.number(value)


def _tip(lines: list[str]) -> str:
    """A tooltip: lines escaped (names come from files), joined for plotly."""
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _departement_traces(
    layout: gpd.GeoDataFrame, fills: dict[str, str], tips: dict[str, str], line: str, width: float
) -> list[dict]:
    """One filled shape per département of ``layout`` (in its order), its tooltip on the
    fill."""
    shapes = outlines(layout_wkb(layout), SCREEN_SIMPLIFY)
    return [
        dict(
            type="scatter",
            x=xs,
            y=ys,
            mode="lines",
            fill="toself",
            fillcolor=fills[code],
            line=dict(color=line, width=width),
            hoveron="fills",
            hoverinfo="text",
            text=tips[code],
            name=code,
            showlegend=False,
        )
        for code, (xs, ys) in zip(layout["dep_code"], shapes, strict=True)
    ]


def _lines_trace(geoms, colour: str, width: float) -> dict:
    """Outlines (no fill, no tooltip) of lon/lat geometries, projected."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for geom in geoms:
        for polygon in shapely.get_parts(geom):
            for ring in (polygon.exterior, *polygon.interiors):
                coords = np.round(mercator(shapely.get_coordinates(ring)), DECIMALS)
                xs.extend(coords[:, 0].tolist())
                ys.extend(coords[:, 1].tolist())
                xs.append(None)
                ys.append(None)
    return dict(
        type="scatter", x=xs, y=ys, mode="lines", line=dict(color=colour, width=width),
        hoverinfo="skip", showlegend=False,
    )  # fmt: skip


def _inset_traces() -> list[dict]:
    """The overseas insets' boxes and names."""
    frames = boundaries.inset_frames()
    corners = mercator(np.array([(g.bounds[0], g.bounds[3]) for g in frames.geometry]))
    return [
        _lines_trace(frames.geometry, "#787878", 1),
        dict(
            type="scatter",
            x=corners[:, 0].tolist(),
            y=(corners[:, 1] + 0.05).tolist(),
            mode="text",
            text=frames["label"].to_list(),
            textposition="top right",
            textfont=dict(size=12, color="#3C3C3C"),
            hoverinfo="skip",
            showlegend=False,
        ),
    ]


def _centres(layout: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Where a département's marker goes (a point inside it), projected."""
    points = layout.geometry.representative_point()
    xy = mercator(np.array([(p.x, p.y) for p in points]))
    return {
        code: (round(x, 4), round(y, 4))
        for code, (x, y) in zip(layout["dep_code"], xy, strict=True)
    }


def _figure(data: list[dict], bounds: tuple[float, float, float, float]) -> go.Figure:
    """The map: hidden axes of equal scale fitting ``bounds`` (projected), no margins."""
    minx, miny, maxx, maxy = bounds
    hidden = dict(visible=False, showgrid=False, zeroline=False)
    return theme.figure(
        data,
        dict(
            xaxis=dict(hidden, range=[minx - PAD, maxx + PAD]),
            yaxis=dict(
                hidden, range=[miny - PAD, maxy + PAD], scaleanchor="x", scaleratio=1,
                rangemode="normal",
            ),
            margin=dict(l=0, r=0, t=0, b=0),
            height=HEIGHT,
            showlegend=False,
            dragmode="pan",
            hovermode="closest",
            hoverlabel=HOVER_LABEL,
            plot_bgcolor="white",
            paper_bgcolor="white",
        ),
    )  # fmt: skip


def _bounds_of(layout: gpd.GeoDataFrame, codes: list[str] | None = None):
    """The projected box of the départements ``codes`` (all when None or none match)."""
    geoms = projected(layout_wkb(layout), SCREEN_SIMPLIFY)
    if codes:
        wanted = set(codes)
        chosen = [g for c, g in zip(layout["dep_code"], geoms, strict=True) if c in wanted]
        if chosen:
            return tuple(shapely.total_bounds(chosen))
    return tuple(shapely.total_bounds(geoms))


def pole_map(
    departements: pl.DataFrame, indicator: str = "pole", pole_code: str = "all"
) -> MapView:
    """The Carte des pôles. ``departements``: rows of ``territory.departement_map``.
    ``indicator``: 'pole' (colour by pôle) or a column of INDICATORS (choropleth);
    ``pole_code``: 'all' or the pôle to highlight (others are greyed, the view fits it)."""
    layout = boundaries.national_layout(screen=True)
    rows = {r["dep_code"]: r for r in departements.iter_rows(named=True)}
    # Classes from the départements shown in colour (those of the selected pôle).
    in_scope_values = [
        r[indicator]
        for r in rows.values()
        if indicator != "pole" and (pole_code == "all" or r["pole_code"] == pole_code)
    ]
    bounds_list = breaks(in_scope_values) if in_scope_values else []
    fills, tips = {}, {}
    for code in layout["dep_code"]:
        r = rows.get(code, {})
        in_scope = pole_code == "all" or r.get("pole_code") == pole_code
        if not in_scope:
            colour = OUTSIDE
        elif indicator == "pole":
            colour = POLE_COLOURS.get(r.get("pole_code"), NO_DATA)
        else:
            k = class_of(r.get(indicator), bounds_list)
            colour = NO_DATA if k is None else RAMP[k + len(RAMP) - len(bounds_list)]
        fills[code] = colour
        coverage = r.get("coverage_global_pct")
        tips[code] = _tip(
            [
                f"{r.get('dep_name', code)} ({code})",
                f"{r.get('caf_name', '')}" + (" — Caf pivot" if r.get("is_pivot") else ""),
                f"Pôle : {r.get('pole_label', '–')}",
                f"Activités réalisées : {fmt.number(r.get('activity_count'))}",
                "Pour 10 000 enfants de moins de 3 ans : "
                + fmt.number(r.get("activity_per_10k_children"), 1),
                "Taux de couverture global"
                + (f" {r.get('coverage_year')}" if r.get("coverage_year") else "")
                + " : "
                + ("non publié" if coverage is None else f"{fmt.number(coverage, 1)}\u00a0%"),
            ]
        )
    data = _departement_traces(layout, fills, tips, "white", 0.6)
    data.append(_lines_trace(boundaries.screen_pole_zones().geometry, "#282828", 1.8))
    pivots = departements.filter(pl.col("is_pivot"))
    centres = _centres(layout)
    points = [centres[c] for c in pivots["dep_code"] if c in centres]
    data.append(
        dict(
            type="scatter",
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="markers",
            marker=dict(size=11, color=PIVOT, line=dict(color="white", width=2)),
            text=[
                _tip([f"Caf pivot : {name}", f"Pôle : {pole}"])
                for code, name, pole in pivots.select(
                    "dep_code", "caf_name", "pole_label"
                ).iter_rows()
                if code in centres
            ],
            hoverinfo="text",
            showlegend=False,
        )
    )
    data.extend(_inset_traces())
    focus = None
    if pole_code != "all":
        focus = layout.loc[layout["pole_code"] == pole_code, "dep_code"].to_list()
    figure = _figure(data, _bounds_of(layout, focus))
    return MapView(figure, _legend(indicator, bounds_list), INDICATORS[indicator])


def _legend(indicator: str, bounds_list: list[float]) -> list[LegendItem]:
    from sppe_data import reference

    if indicator == "pole":
        poles = reference.poles().sort("sort_order")
        items = [
            LegendItem(label, POLE_COLOURS[code])
            for code, label in poles.select("pole_code", "pole_label").iter_rows()
        ]
    else:
        ramp = RAMP[len(RAMP) - len(bounds_list) :]
        items, low = [], None
        for colour, high in zip(ramp, bounds_list, strict=True):
            text = (
                f"jusqu'à {_value_text(indicator, high)}"
                if low is None
                else f"de {_value_text(indicator, low)} à {_value_text(indicator, high)}"
            )
            items.append(LegendItem(text, colour))
            low = high
        items.append(LegendItem("Donnée non disponible", NO_DATA))
    items.append(LegendItem("Caf pivot", PIVOT, "circle"))
    return items


#: Above this many projects the map draws one circle per département (or, in the
#: density view, grid cells counted on the server), not one point per project.
POINTS_THRESHOLD = 5_000
DENSITY_CELL = 0.1  # degrees (about 10 km): projects counted per cell on the server
DENSITY_CLASSES = 5
AGGREGATE_COLOUR = "#0072B2"
AGGREGATE_MAX_SIZE = 40  # pixels: the circle of the département with most projects
POINT_SIZES = (5, 16)  # pixels: a project of 10 places or fewer, of the most places
NBSP = "\u00a0"


def _fr_int(column: str) -> pl.Expr:
    """``12345`` -> ``12 345`` (French thousands, as ``fmt.number``), null -> ``–``;
    vectorised for integers below a billion."""
    v = pl.col(column).cast(pl.Int64)
    a = v.abs()
    millions, thousands, units = a // 1_000_000, (a // 1_000) % 1_000, a % 1_000
    pad = lambda e: e.cast(pl.String).str.zfill(3)  # noqa: E731
    text = (
        pl.when(a >= 1_000_000)
        .then(pl.concat_str(millions.cast(pl.String), pl.lit(NBSP), pad(thousands),
                            pl.lit(NBSP), pad(units)))
        .when(a >= 1_000)
        .then(pl.concat_str(thousands.cast(pl.String), pl.lit(NBSP), pad(units)))
        .otherwise(a.cast(pl.String))
    )  # fmt: skip
    text = pl.when(v < 0).then(pl.concat_str(pl.lit("-"), text)).otherwise(text)
    return pl.when(v.is_null()).then(pl.lit("–")).otherwise(text)


def _escaped(column: str) -> pl.Expr:
    """A text column made safe for a tooltip (plotly reads a few HTML tags)."""
    return (
        pl.col(column)
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def projects_by_departement(projects: pl.DataFrame) -> pl.DataFrame:
    """Grain: one row per département with at least one project (rows of
    ``territory.project_pipeline`` in). Columns: dep_code, dep_name, project_count (all,
    abandoned included, as the points drawn), abandoned_count, late_count,
    at_risk_count, places_decided_count and places_opened_count (abandoned excluded, as
    the page's KPIs)."""
    live = pl.col("stage") != "abandonne"
    return (
        projects.group_by("dep_code")
        .agg(
            pl.col("dep_name").first(),
            pl.len().alias("project_count"),
            (~live).sum().alias("abandoned_count"),
            pl.col("is_late").sum().alias("late_count"),
            pl.col("is_at_risk").sum().alias("at_risk_count"),
            pl.col("places_decided_count").filter(live).sum().alias("places_decided_count"),
            pl.col("places_opened_count").filter(live).sum().alias("places_opened_count"),
        )
        .with_columns(pl.col(pl.UInt32).cast(pl.Int64))
        .sort("dep_code")
    )


def _base_traces(layout: gpd.GeoDataFrame) -> list[dict]:
    """The départements in light grey, their name on hover where no project is drawn."""
    fills = dict.fromkeys(layout["dep_code"], OUTSIDE)
    tips = {
        code: _tip([f"{name} ({code})"])
        for code, name in zip(layout["dep_code"], layout["dep_name"], strict=True)
    }
    return _departement_traces(layout, fills, tips, "#BEBEBE", 0.5)


def _project_points(placed: pl.DataFrame) -> list[dict]:
    """One marker trace per stage (its colour), a marker per project sized by places,
    its tooltip built column-wise."""
    from sppe_data.projects import KIND_LABELS, STAGE_LABELS

    kind = pl.col("project_kind")
    stage = pl.col("stage")
    low, high = POINT_SIZES
    places = pl.col("places_decided_count").fill_null(0).clip(lower_bound=10).sqrt()
    top = max(float(placed.select(places.max()).item() or 0), math.sqrt(10))
    frame = placed.select(
        "stage",
        x=pl.col("lon"),
        y=pl.col("lat"),
        size=(low + (high - low) * (places - math.sqrt(10)) / max(top - math.sqrt(10), 1e-9)),
        tip=pl.concat_str(
            _escaped("project_name"),
            pl.lit("<br>"),
            kind.replace_strict(KIND_LABELS, default=kind, return_dtype=pl.String),
            pl.lit(" · "),
            stage.replace_strict(STAGE_LABELS, default=stage, return_dtype=pl.String),
            pl.lit("<br>Places décidées : "),
            _fr_int("places_decided_count"),
            pl.lit(" · ouvertes : "),
            _fr_int("places_opened_count"),
            pl.lit("<br>Expert : "),
            _escaped("expert_name").fill_null("non désigné"),
            pl.when(pl.col("is_late")).then(pl.lit("<br>En retard")).otherwise(pl.lit("")),
            pl.when(pl.col("is_at_risk")).then(pl.lit("<br>À risque")).otherwise(pl.lit("")),
        ),
    )
    xy = mercator(frame.select("x", "y").to_numpy()) if frame.height else np.empty((0, 2))
    frame = frame.with_columns(
        x=pl.Series(np.round(xy[:, 0], 4)), y=pl.Series(np.round(xy[:, 1], 4))
    )
    known = pl.col("stage").is_in(list(STAGE_COLOURS)).fill_null(False)
    groups = [(pl.col("stage") == code, colour) for code, colour in STAGE_COLOURS.items()]
    traces = []
    for condition, colour in [*groups, (~known, NO_DATA)]:
        mine = frame.filter(condition)
        if mine.is_empty():
            continue
        traces.append(
            dict(
                type="scatter",
                x=mine["x"].to_list(),
                y=mine["y"].to_list(),
                mode="markers",
                marker=dict(
                    size=mine["size"].round(1).to_list(),
                    color=colour,
                    opacity=0.8,
                    line=dict(color="white", width=0.5),
                ),
                text=mine["tip"].to_list(),
                hoverinfo="text",
                showlegend=False,
            )
        )
    return traces


def density_cells(placed: pl.DataFrame, cell: float = DENSITY_CELL) -> pl.DataFrame:
    """Grain: one row per grid cell of ``cell`` degrees holding projects. Columns:
    x, y (lon, lat of the cell's lower-left corner), n (projects in the cell)."""

    def corner(c: str) -> pl.Expr:
        return ((pl.col(c) / cell).floor() * cell).round(4)

    return (
        placed.select(corner("lon").alias("x"), corner("lat").alias("y"))
        .group_by("x", "y")
        .len(name="n")
        .sort("x", "y")
        .with_columns(pl.col("n").cast(pl.Int64))
    )


def density_bounds(counts: list[int], classes: int = DENSITY_CLASSES) -> list[float]:
    """Upper bounds of ``classes`` classes of equal width from 0 to the largest count."""
    top = max(counts, default=0)
    return [top * (i + 1) / classes for i in range(classes)] if top else []


def _density_traces(cells: pl.DataFrame, cell: float = DENSITY_CELL) -> list[dict]:
    """The cells as squares (projected), one filled trace per class."""
    bounds_list = density_bounds(cells["n"].to_list())
    traces = []
    for k, colour in enumerate(DENSITY_RAMP[: len(bounds_list)]):
        low = bounds_list[k - 1] if k else 0
        mine = cells.filter((pl.col("n") > low) & (pl.col("n") <= bounds_list[k]))
        if mine.is_empty():
            continue
        x0, y0 = mine["x"].to_numpy(), mine["y"].to_numpy()
        corners = np.stack(
            [
                np.stack([x0, y0], 1),
                np.stack([x0 + cell, y0], 1),
                np.stack([x0 + cell, y0 + cell], 1),
                np.stack([x0, y0 + cell], 1),
                np.stack([x0, y0], 1),
            ],
            1,
        )
        xy = np.round(mercator(corners.reshape(-1, 2)), DECIMALS).reshape(-1, 5, 2)
        gaps = np.full((len(xy), 1), np.nan)
        xs = np.concatenate([xy[:, :, 0], gaps], 1).ravel()
        ys = np.concatenate([xy[:, :, 1], gaps], 1).ravel()
        traces.append(
            dict(
                type="scatter",
                x=[None if math.isnan(v) else v for v in xs.tolist()],
                y=[None if math.isnan(v) else v for v in ys.tolist()],
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line=dict(width=0, color=colour),
                opacity=0.85,
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return traces


def _departement_circles(counts: pl.DataFrame, centres: dict) -> tuple[dict, int]:
    """One circle per département (area proportional to its projects), with a tooltip."""
    counts = counts.filter(pl.col("dep_code").is_in(list(centres)))
    top = int(counts["project_count"].max() or 1)
    tips = counts.select(
        pl.concat_str(
            _escaped("dep_name").fill_null(pl.col("dep_code")), pl.lit(" ("), pl.col("dep_code"),
            pl.lit(")<br>Projets : "), _fr_int("project_count"),
            pl.lit(" (dont "), _fr_int("abandoned_count"), pl.lit(" abandonné(s))"),
            pl.lit("<br>Places décidées : "), _fr_int("places_decided_count"),
            pl.lit(" · ouvertes : "), _fr_int("places_opened_count"),
            pl.lit("<br>En retard : "), _fr_int("late_count"),
            pl.lit(" · à risque : "), _fr_int("at_risk_count"),
        ).alias("tip"),
    )["tip"].to_list()  # fmt: skip
    points = [centres[c] for c in counts["dep_code"]]
    sizes = (AGGREGATE_MAX_SIZE * (counts["project_count"] / top).sqrt()).round(1)
    trace = dict(
        type="scatter",
        x=[p[0] for p in points],
        y=[p[1] for p in points],
        mode="markers",
        marker=dict(
            size=sizes.clip(lower_bound=4).to_list(),
            color=AGGREGATE_COLOUR,
            opacity=0.67,
            line=dict(color="white", width=1),
        ),
        text=tips,
        hoverinfo="text",
        showlegend=False,
    )
    return trace, top


def project_map(
    projects: pl.DataFrame,
    density: bool = False,
    focus: tuple[str, ...] = (),
    threshold: int = POINTS_THRESHOLD,
) -> MapView:
    """The projects map. ``projects``: rows of ``territory.project_pipeline`` (those to
    draw). Up to ``threshold`` projects: one point per project, sized by places (decided,
    else 10 for the size of an early project) and coloured by stage. Above: one circle
    per département, its area proportional to the number of projects (tooltip: projects,
    places, late, at risk). ``density``: grid cells of about 10 km counting the projects,
    counted on the server, in five classes of equal width.
    ``focus``: départements the view fits (the whole map when empty)."""
    from sppe_data.projects import STAGE_LABELS

    layout = boundaries.national_layout(screen=True)
    data = _base_traces(layout)
    placed = boundaries.place_points(projects.filter(pl.col("lon").is_not_null()))
    if density:
        cells = density_cells(placed)
        data.extend(_density_traces(cells))
        bounds_list = density_bounds(cells["n"].to_list())
        legend, low = [], 0.0
        for colour, high in zip(DENSITY_RAMP, bounds_list, strict=False):
            legend.append(LegendItem(f"de {fmt.number(low)} à {fmt.number(high)} projets", colour))
            low = high
        title = "Densité de projets (carreaux d'environ 10 km, 5 classes de même largeur)"
    elif projects.height > threshold:
        trace, top = _departement_circles(projects_by_departement(projects), _centres(layout))
        data.append(trace)
        legend = [
            LegendItem(f"{fmt.number(top)} projets (le plus grand cercle)", AGGREGATE_COLOUR,
                       "circle"),
            LegendItem("Survoler un cercle : places, retards, risques", AGGREGATE_COLOUR,
                       "circle"),
        ]  # fmt: skip
        title = "Projets par département (surface du cercle : nombre de projets)"
    else:
        data.extend(_project_points(placed))
        legend = [LegendItem(STAGE_LABELS[s], STAGE_COLOURS[s], "circle") for s in STAGE_COLOURS]
        title = "Étape du projet (taille : places décidées)"
    data.extend(_inset_traces())
    figure = _figure(data, _bounds_of(layout, list(focus)))
    return MapView(figure, legend, title)

